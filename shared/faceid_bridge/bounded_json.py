"""JSON from outside, bounded before it is parsed: nesting deep enough to exhaust the parser's
recursion, or a string large enough to break an item or an event downstream, is refused with a
ValueError (which callers answer as 400), never a 500."""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32  # FaceID's payloads nest 4 levels; ours 2
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_string: int | None = None) -> Any:
    """json.loads, after checking the nesting depth and (if given) every string's length in characters."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if not _bounds_hold_without_scan(text, max_depth=max_depth, max_string=max_string):
        check_bounds(text, max_depth=max_depth, max_string=max_string)
    return json.loads(text)


def _bounds_hold_without_scan(text: str, *, max_depth: int, max_string: int | None) -> bool:
    """True when check_bounds cannot refuse `text`, known without its regex scan (most bodies, and
    FaceID's callbacks, are small and shallow): no string is longer than the text around it, and
    nesting is no deeper than the number of opening brackets the text holds, in strings or not."""
    return (max_string is None or len(text) - 2 <= max_string) and text.count("[") + text.count("{") <= max_depth


def check_bounds(text: str, *, max_depth: int = MAX_DEPTH, max_string: int | None = None) -> None:
    """ValueError if `text` nests deeper than `max_depth` or holds a string longer than `max_string`."""
    longest = 0

    def blank(match: re.Match[str]) -> str:
        nonlocal longest
        longest = max(longest, match.end() - match.start() - 2)
        return '""'

    skeleton = _STRING.sub(blank, text)
    if max_string is not None and longest > max_string:
        raise ValueError(f"a string longer than {max_string} characters")
    depth = 0
    for bracket in _NOT_BRACKET.sub("", skeleton):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise ValueError(f"nested deeper than {max_depth}")
