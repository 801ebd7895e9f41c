"""The hot path's shortcuts give exactly what the general code they stand in for gives, on generated
inputs that reach both sides of each shortcut: bounded_json's check without its regex scan, and a
form body's percent-decoding in C."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, unquote_to_bytes

from hypothesis import example, given, settings
from hypothesis import strategies as st

from faceid_bridge import bounded_json
from faceid_bridge.forms import parse_form, unquoted
from tests.support import EVENTS, load_json

URLENCODED = "application/x-www-form-urlencoded"
MANY = settings(max_examples=2000, deadline=None)

# JSON-ish text over the characters that matter to the bounds (brackets, quotes, escapes), as JSON
# values too: small limits below make both the shortcut and the scan run.
json_texts = st.one_of(
    st.text(alphabet='[]{}"\\:,a1 ', max_size=60),
    st.recursive(
        st.none() | st.integers() | st.text(alphabet='ab"\\[{', max_size=12),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=10,
    ).map(json.dumps),
)
# Form bytes over what percent-decoding reads: %, hex digits of both cases, +, =, &, a backslash,
# and bytes that are not ASCII.
form_bytes = st.binary(max_size=80) | st.lists(
    st.sampled_from([b"%", b"2", b"7b", b"A", b"f", b"G", b"+", b"=", b"&", b"\\", b"x", b"\xff", b"\xc3\xa9", b"%zz"]),
    max_size=40,
).map(b"".join)


def outcome(run: object) -> object:
    """What a call gives: its value, or its ValueError's message."""
    try:
        return run() if callable(run) else run
    except ValueError as refused:
        return ("ValueError", str(refused))


@MANY
@given(text=json_texts, max_depth=st.integers(0, 6), max_string=st.none() | st.integers(0, 20))
@example(text='"abc"', max_depth=0, max_string=2)  # one string as long as the text allows, one past the bound
@example(text='["a"]', max_depth=1, max_string=1)  # at both bounds exactly
@example(text="[[]]", max_depth=1, max_string=None)  # one level past the bound
def test_bounded_json_agrees_with_its_full_scan(text: str, max_depth: int, max_string: int | None) -> None:
    # Given a text and bounds, When loaded with the shortcut and with the full scan always run
    def scanned() -> object:
        bounded_json.check_bounds(text, max_depth=max_depth, max_string=max_string)
        return json.loads(text)

    # Then both give the same value, or refuse with the same error
    assert outcome(lambda: bounded_json.loads(text, max_depth=max_depth, max_string=max_string)) == outcome(scanned)


@MANY
@given(text=json_texts, max_depth=st.integers(0, 6), max_string=st.none() | st.integers(0, 20))
def test_the_scan_never_refuses_what_the_shortcut_passes(text: str, max_depth: int, max_string: int | None) -> None:
    # Given bounds the shortcut says hold, Then the full scan finds them holding too
    if bounded_json._bounds_hold_without_scan(text, max_depth=max_depth, max_string=max_string):
        bounded_json.check_bounds(text, max_depth=max_depth, max_string=max_string)


def test_the_shortcut_takes_a_notify_and_leaves_the_deep_and_the_long_to_the_scan() -> None:
    # Given the sample notify's signed data, When its bounds are checked, Then without the scan
    form = parse_form(base64.b64decode(load_json(EVENTS / "api" / "notify.json")["body"]), URLENCODED)
    assert bounded_json._bounds_hold_without_scan(form["data"][0].decode(), max_depth=32, max_string=64 * 1024)
    # and a text deeper than its bound, or with a string past it, goes to the scan
    assert not bounded_json._bounds_hold_without_scan("[" * 33, max_depth=32, max_string=None)
    assert not bounded_json._bounds_hold_without_scan('"' + "x" * 11 + '"', max_depth=32, max_string=10)


@MANY
@given(text=form_bytes)
@example(b"%41%4a%4A\\x41\\%41+%")  # escapes of both cases, a backslash before an x and before one
@example(b"\\N{DIGIT ONE}%41")  # what unicode_escape would read as an escape, had it not been escaped
def test_percent_decoding_in_c_is_urllibs(text: bytes) -> None:
    # Given any bytes, When percent-decoded, Then as urllib's unquote_to_bytes after + became a space
    assert unquoted(text) == unquote_to_bytes(text.replace(b"+", b" "))


@MANY
@given(body=form_bytes)
@example(b"a=1&a=2&=&b&&%ff=x&%fe=y")  # a repeated name, blanks, names that decode alike
def test_a_urlencoded_form_parses_as_parse_qs_does(body: bytes) -> None:
    # Given any body, When parsed as a urlencoded form
    expected = {name.decode("utf-8", "replace"): values for name, values in parse_qs(body, True).items()}
    # Then as parse_qs(keep_blank_values=True) gives it, names decoded
    assert parse_form(body, URLENCODED) == expected
