"""The App SDK (003, notes §3-4): get_biz_token, the SDK on the phone, then the server's verify."""
