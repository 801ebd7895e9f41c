"""Form bodies (urlencoded or multipart), as bytes: callbacks and the App's meglive_data use them."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes


def parse_form(body: bytes, content_type: str) -> dict[str, list[bytes]]:
    if content_type.lower().startswith("multipart/form-data"):
        from email.parser import BytesParser  # rare: FaceID's callbacks come urlencoded; email costs a cold start
        from email.policy import HTTP

        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        fields: dict[str, list[bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields.setdefault(name, []).append(payload)
        return fields
    return urlencoded(body)


def urlencoded(body: bytes) -> dict[str, list[bytes]]:
    """What `urllib.parse.parse_qs(body, keep_blank_values=True)` gives, its names decoded as UTF-8,
    percent-decoded in C (`unquoted`): parse_qs's own decoding is a Python loop per escape, and
    FaceID's JSON is mostly escapes (tests/fuzz/test_fast_paths.py proves them equal)."""
    fields: dict[bytes, list[bytes]] = {}
    for field in body.split(b"&"):
        if field:
            name, _, value = field.partition(b"=")
            fields.setdefault(unquoted(name), []).append(unquoted(value))
    return {name.decode("utf-8", "replace"): values for name, values in fields.items()}


def unquoted(text: bytes) -> bytes:
    """`unquote_to_bytes(text.replace(b"+", b" "))`. When every % starts an escape (as form encoders
    write them), each %XX becomes a \\xXX escape, backslashes escaped first, for the unicode_escape
    codec to decode; latin-1 gives back the bytes it decoded to characters. Any other %: urllib."""
    text = text.replace(b"+", b" ")
    if b"%" not in text:
        return text
    try:
        return text.replace(b"\\", b"\\\\").replace(b"%", b"\\x").decode("unicode_escape").encode("latin-1")
    except UnicodeDecodeError:  # a % without two hex digits after it, which urllib keeps as it is
        return unquote_to_bytes(text)
