"""Receives `Verification Approved` events of one channel (see ../template.yaml's rule).

Delivery is at least once, so the work must be idempotent: key it on `detail.event_id`, or, as
here, on the verification, which an account is opened for once."""

from typing import Any

from faceid_bridge_client import parse_event


def open_account(verification_id: str, biz_no: str) -> dict[str, str]:
    """Stands in for the team's own work (an idempotent write keyed on verification_id)."""
    return {"opened_for": biz_no, "verification_id": verification_id}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    detail = parse_event(event)  # typed; raises ValueError on anything that is not a verification event
    if detail.decision != "APPROVED":
        raise ValueError(f"rule delivered {detail.decision}: check the rule's pattern")
    return open_account(detail.verification_id, detail.biz_no)
