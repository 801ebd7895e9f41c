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
    return json.loads(text)
