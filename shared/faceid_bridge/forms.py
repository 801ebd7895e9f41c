"""Form bodies (urlencoded or multipart), as bytes: callbacks and the App's meglive_data use them."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs


def parse_form(body: bytes, content_type: str) -> dict[str, list[bytes]]:
    if content_type.lower().startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        fields: dict[str, list[bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields.setdefault(name, []).append(payload)
        return fields
    return {key.decode("utf-8", "replace"): values for key, values in parse_qs(body, keep_blank_values=True).items()}
