"""H5 Lite (000, 001, notes §1-2): get_token, the user's browser on FaceID's do page, then FaceID's
callbacks (notify, return), and get_result for the ones that never come."""
