"""H5 Lite's FaceID API paths (docs 000, notes §1-§2): apart from the contract's models, so that
what needs only the paths (the channel's HOSTING, read by the reconciler as it starts) does not
create them."""

GET_TOKEN = "/faceid/lite/get_token"  # noqa: S105 - an API path, not a secret
DO = "/faceid/lite/do"
GET_RESULT = "/faceid/lite/get_result"
