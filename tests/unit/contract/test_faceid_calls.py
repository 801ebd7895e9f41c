"""Each channel's FaceID calls as the docs define them: path, method, parameters and authentication
(000, 002, notes §2-4), built as data for the one adapter to send (faceid/calls.py)."""

import base64
from typing import Any

from faceid_bridge.channels.app_sdk import contract as app
from faceid_bridge.channels.h5_lite import contract as lite
from faceid_bridge.channels.h5_raw import contract as raw
from faceid_bridge.faceid.calls import FaceIdCall, key_pair
from faceid_bridge.faceid.common import parse
from tests.support import valid_biz_token_body, valid_create_body, valid_raw_body

KEY, SECRET, NOW, NONCE = "key", "secret", 1795338000, "0123456789"


def sent(call: FaceIdCall[Any]) -> dict[str, Any]:
    return call.parameters(KEY, SECRET, NOW, NONCE)


def test_get_token_posts_the_options_the_urls_and_the_key_pair() -> None:
    # Given get_token options with a reference image
    options = parse(lite.GetTokenOptions, valid_create_body())
    # When its call is built
    call = lite.get_token_call(options, return_url="https://us/return", notify_url="https://us/notify")
    # Then it is a form post to 000's path, with the key pair, both URLs, the fields and the image as a file
    parameters = sent(call)
    assert (call.path, call.method, call.answer) == ("/faceid/lite/get_token", "POST", lite.GetTokenResponse)
    assert parameters["api_key"] == KEY and parameters["api_secret"] == SECRET
    assert (parameters["return_url"], parameters["notify_url"]) == ("https://us/return", "https://us/notify")
    assert {name: value for name, value in parameters.items() if isinstance(value, str)} == {
        "api_key": KEY,
        "api_secret": SECRET,
        **options.form_fields(),
        "return_url": "https://us/return",
        "notify_url": "https://us/notify",
    }
    assert parameters["image_ref1"] == ("image_ref1", options.files()["image_ref1"], "application/octet-stream")


def test_get_result_is_a_get_with_biz_id_and_the_key_pair() -> None:
    call = lite.get_result_call("biz-1")
    assert (call.path, call.method, call.answer) == ("/faceid/lite/get_result", "GET", lite.LiteResult)
    assert sent(call) == {"api_key": KEY, "api_secret": SECRET, "biz_id": "biz-1"}


def test_the_do_url_is_on_the_host_that_made_the_token() -> None:
    assert lite.do_url("https://api-idn.megvii.com", "t k") == "https://api-idn.megvii.com/faceid/lite/do?token=t+k"


def test_app_calls_are_signed_not_sent_the_key_pair() -> None:
    # Given the App's verify call with the SDK's package
    call = app.verify_call("biz-token", b"package")
    parameters = sent(call)
    # Then it carries a sign valid for a minute (notes §3), never the secret itself
    raw_sign = base64.b64decode(str(parameters["sign"]))[20:].decode()
    assert raw_sign == f"a={KEY}&b={NOW + 60}&c={NOW}&d={NONCE}"
    assert parameters["sign"] == app.app_sign(KEY, SECRET, expire_time=NOW + 60, current_time=NOW, random=NONCE)
    assert parameters["sign_version"] == "hmac_sha1" and "api_secret" not in parameters
    assert (call.path, call.method, call.answer) == ("/faceid/v3/sdk/verify", "POST", app.AppVerifyResult)
    assert parameters["biz_token"] == "biz-token"
    assert parameters["meglive_data"] == ("meglive_data", b"package", "application/octet-stream")


def test_app_verify_without_a_package_sends_none() -> None:
    # notes §4: raw_image verifies the image sent at get_biz_token
    assert "meglive_data" not in sent(app.verify_call("biz-token", None))


def test_get_biz_token_and_raw_verify_go_to_their_paths() -> None:
    biz_token = app.get_biz_token_call(parse(app.GetBizTokenOptions, valid_biz_token_body()))
    assert (biz_token.path, biz_token.answer) == ("/faceid/v3/sdk/get_biz_token", app.GetBizTokenResponse)
    assert biz_token.authenticate is app.app_authentication
    verify = raw.verify_call(parse(raw.RawVerifyOptions, valid_raw_body()))
    assert (verify.path, verify.answer, verify.authenticate) == (
        "/faceid/lite/raw/verify",
        raw.RawVerifyResult,
        key_pair,
    )
