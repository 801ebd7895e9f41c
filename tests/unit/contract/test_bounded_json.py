"""JSON from outside, bounded before it is parsed (bounded_json): nesting up to 32 levels, strings up
to the caller's limit in characters, both exact at their edges; anything past them is a ValueError
(which callers answer as 400), never a RecursionError or a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from faceid_bridge import bounded_json

DOCUMENTED_DEPTH = 32  # the module's rule; FaceID's payloads nest 4 levels, ours 2


def arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


def objects(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "text",
    [
        arrays(DOCUMENTED_DEPTH),
        objects(DOCUMENTED_DEPTH),
        "[" + ",".join(["[]"] * 40) + "]",  # wide but shallow: 82 brackets, 2 levels
        "[" + ",".join([arrays(DOCUMENTED_DEPTH - 1)] * 3) + "]",  # the depth falls back between siblings
        json.dumps({"text": "[" * 40 + "{" * 40}),  # brackets inside a string are text
        json.dumps({"text": '"' + "[" * 40}),  # ... after an escaped quote too
        json.dumps({"text": "x" * 100_000}),  # no string limit unless the caller sets one
    ],
    ids=["32 arrays", "32 objects", "wide", "siblings", "brackets in a string", "escaped quote", "long string"],
)
def test_json_within_the_bounds_parses_as_json_loads_does(text: str) -> None:
    assert bounded_json.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        arrays(DOCUMENTED_DEPTH + 1),
        objects(DOCUMENTED_DEPTH + 1),
        "[[]," + arrays(DOCUMENTED_DEPTH) + "]",  # 33 levels after a closed sibling
        arrays(100_000),
    ],
    ids=["33 arrays", "33 objects", "after a sibling", "100000 arrays"],
)
def test_deeper_nesting_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=f"nested deeper than {DOCUMENTED_DEPTH}"):
        bounded_json.loads(text)


@pytest.mark.parametrize(
    ("max_depth", "text", "parses"),
    [(1, "[1]", True), (1, "[[1]]", False), (2, "[[1]]", True), (2, '{"a": [{}]}', False)],
)
def test_the_caller_may_set_the_depth(max_depth: int, text: str, parses: bool) -> None:
    if parses:
        assert bounded_json.loads(text, max_depth=max_depth) == json.loads(text)
    else:
        with pytest.raises(ValueError, match=f"nested deeper than {max_depth}"):
            bounded_json.loads(text, max_depth=max_depth)


@pytest.mark.parametrize(
    ("value", "parses"),
    [
        ("abcde", True),  # exactly max_string characters
        ("abcdef", False),
        ("ééééé", True),  # characters, not bytes
        ("", True),
    ],
)
def test_strings_up_to_max_string_characters(value: str, parses: bool) -> None:
    for shape in ([value], {value: 1}, {"k": value}):
        text = json.dumps(shape, ensure_ascii=False)
        if parses:
            assert bounded_json.loads(text, max_string=5) == json.loads(text)
        else:
            with pytest.raises(ValueError, match="a string longer than 5 characters"):
                bounded_json.loads(text, max_string=5)


@pytest.mark.parametrize(("value", "parses"), [("abcde", True), ("abcdef", False)])
def test_a_string_that_is_the_whole_text_is_bounded_exactly(value: str, parses: bool) -> None:
    # Given a text that is one string: the shortcut past the scan must not take one character more
    text = json.dumps(value)
    if parses:
        assert bounded_json.loads(text, max_string=5) == value
    else:
        with pytest.raises(ValueError, match="a string longer than 5 characters"):
            bounded_json.loads(text, max_string=5)


@pytest.mark.parametrize(("text", "parses"), [('[1, {"": null}, ""]', True), ('[1, ""]', True), ('[1, "x"]', False)])
def test_a_zero_string_limit_takes_only_empty_strings(text: str, parses: bool) -> None:
    if parses:
        assert bounded_json.loads(text, max_string=0) == json.loads(text)
    else:
        with pytest.raises(ValueError, match="a string longer than 0 characters"):
            bounded_json.loads(text, max_string=0)


@pytest.mark.parametrize(("text", "expected"), [(b'{"a": [1, "\xc3\xa9"]}', {"a": [1, "é"]}), (b"[]", [])])
def test_bytes_are_utf8(text: bytes, expected: Any) -> None:
    assert bounded_json.loads(text) == expected


@pytest.mark.parametrize("text", [b"\xff[]", "[1,", "", '{"a": 1'])
def test_what_is_not_json_is_a_value_error(text: str | bytes) -> None:
    with pytest.raises(ValueError):
        bounded_json.loads(text)
