"""Test helpers shared by the three levels: fixtures on disk, the get_token rules table, and the
one Verification builder."""

from __future__ import annotations

import base64
import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.faceid.common import MAX_IMAGE_BYTES
from infra.local.client import face_image

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EVENTS = ROOT / "events"
CREATED_AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


def _placeholder(value: Any) -> Any:
    if value == "@face":
        return face_image()
    if value == "@2MB+1":
        return base64.b64encode(b"\x89PNG" + b"0" * (MAX_IMAGE_BYTES - 3)).decode()
    return value


def valid_create_body(**overrides: Any) -> dict[str, Any]:
    return {"biz_no": "order-1", "uuid": "customer-1", "comparison_type": "0", "image_ref1": face_image(), **overrides}


def get_token_rules() -> list[dict[str, Any]]:
    """The rules of 000 (docs/faceid.md) as cases: a valid body, changed, and the expected error."""
    return rules("get_token_rules")


def body_for(rule: dict[str, Any], **base: Any) -> dict[str, Any]:
    return apply_rule(rule, valid_create_body(**base))


def apply_rule(rule: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """`base` changed as a rules table's case says (a change to None removes the key)."""
    body = {key: value for key, value in base.items() if key not in rule["remove"]}
    body.update({key: _placeholder(value) for key, value in rule["change"].items()})
    return {key: value for key, value in body.items() if value is not None}


def rules(name: str) -> list[dict[str, Any]]:
    """A rules table from tests/fixtures: get_token_rules, get_biz_token_rules, raw_verify_rules."""
    return load_json(FIXTURES / f"{name}.json")  # type: ignore[no-any-return]


def valid_biz_token_body(**overrides: Any) -> dict[str, Any]:
    return {
        "liveness_type": "still",
        "comparison_type": "0",
        "uuid": "customer-1",
        "image_ref1": face_image(),
        **overrides,
    }


def valid_raw_body(**overrides: Any) -> dict[str, Any]:
    return {
        "token": "token-still",
        "comparison_type": "0",
        "uuid": "customer-1",
        "image_ref1": face_image(),
        **overrides,
    }


def sandbox_form(body: dict[str, Any]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Our create body as the get_token form FaceID receives: string fields and image files."""
    fields = {
        key: str(value)
        for key, value in body.items()
        if key not in ("redirect_url", "far_level") and not key.startswith("image_ref")
    }
    fields.update(
        api_key="sandbox-key", api_secret="sandbox-secret", return_url="http://127.0.0.1:8028/v1/faceid/return"
    )
    fields.setdefault("notify_url", "http://127.0.0.1:8028/v1/faceid/notify")
    files: dict[str, bytes] = {}
    for key in ("image_ref1", "image_ref2"):
        if key in body:
            try:
                files[key] = base64.b64decode(body[key], validate=True)
            except ValueError:
                files[key] = body[key].encode()
    return fields, files


def json_of(response: Any) -> Any:
    """A Flask test response's JSON body (typed Any: Flask says it may be None)."""
    return response.get_json()


def make_verification(
    verification_id: str = "vrf_1", *, created_at: datetime = CREATED_AT, **fields: Any
) -> Verification:
    """An H5 Lite verification as its creation stores it: one reference, far_level 1e-4, biz_no
    `order-<id>` and biz_id `biz-<id>`, expiring an hour after `created_at`. `fields` set any other
    field (a misspelt one fails here: the model itself ignores unknown fields)."""
    unknown = set(fields) - set(Verification.model_fields)
    assert not unknown, f"not Verification fields: {sorted(unknown)}"
    created: dict[str, Any] = {
        "verification_id": verification_id,
        "channel": Channel.H5_LITE,
        "biz_no": f"order-{verification_id}",
        "biz_id": f"biz-{verification_id}",
        "comparison_type": "0",
        "references": 1,
        "far_level": "1e-4",
        "request_hash": "h",
        "created_at": created_at,
        "updated_at": created_at,
        "expires_at": created_at + timedelta(hours=1),
    }
    return Verification(**(created | fields))


def free_port() -> int:
    """A port nothing listens on now: the kernel's pick of a free one, released for the caller."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
