"""The audit log: FaceID's answers that moved a verification, redacted and bounded, each written in
the transaction of the transition it caused (docs/decisions.md §11), under the verification's key."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from faceid_bridge.adapters.dynamodb.codec import Table, epoch, to_attributes
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.faceid.common import redacted

AUDIT_MAX_BYTES = 32 * 1024  # well under DynamoDB's 400 KB item limit, whatever FaceID sends


def audit_body(payload: dict[str, Any], table: Table) -> str:
    """What we keep of a FaceID answer: redacted, as canonical JSON."""
    kept = redacted(payload, keep_idcard_info=table.keep_idcard_info)
    return json.dumps(kept, sort_keys=True, separators=(",", ":"))


def bounded_body(payload: dict[str, Any], table: Table) -> str:
    """audit_body, or only its size and digest when it is over AUDIT_MAX_BYTES."""
    body = audit_body(payload, table)
    encoded = body.encode()
    if len(encoded) <= AUDIT_MAX_BYTES:
        return body
    digest = hashlib.sha256(encoded).hexdigest()
    return json.dumps({"truncated": True, "payload_bytes": len(encoded), "payload_sha256": digest})


def audit_item(verification_id: str, audit: AuditEntry, table: Table) -> dict[str, Any]:
    """FaceID's answer as an audit item. Identical payloads collapse onto one item; one larger
    than AUDIT_MAX_BYTES keeps its first bytes, its size and its digest."""
    body = audit_body(audit.payload, table)
    digest = hashlib.sha256(body.encode()).hexdigest()
    values: dict[str, Any] = {
        "entity": "audit",
        "source": audit.source,
        "received_at": audit.received_at.isoformat(),
        "payload": body,
        "expires_at_epoch": epoch(audit.received_at + table.audit_retention),
    }
    encoded = body.encode()
    if len(encoded) > AUDIT_MAX_BYTES:
        prefix = encoded[:AUDIT_MAX_BYTES].decode("utf-8", "ignore")
        values |= {"payload": prefix, "truncated": True, "payload_bytes": len(encoded), "payload_sha256": digest}
    key = {"pk": {"S": f"VERIFICATION#{verification_id}"}, "sk": {"S": f"AUDIT#{digest[:16]}"}}
    return {**key, **to_attributes(values)}
