"""H5 Lite's callbacks: notify (FaceID's server to ours) and return (the user's browser), and the
verification the result page speaks of.

Order matters in a callback: size limit, then signature, then parsing, then the state machine. Nothing before the
signature check reads the payload, and nothing after it trusts anything but the signed `data`.

Which key pair signed a callback cannot be known before the signature is checked (the verification,
and the region it was made in, are looked up from the payload). So a callback may be signed with
the api_secret of any region that serves H5 Lite whose pair the secret holds, each pair's rotation
window applied on its own: every one of them is ours, and a verification made in one region stays
settleable after the channel moves to another (docs/decisions.md §10).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from pydantic import ValidationError

from faceid_bridge import bounded_json
from faceid_bridge.channels.h5_lite.config import HOSTING, H5LiteCallbacksConfig
from faceid_bridge.channels.h5_lite.contract import LiteResult, lite_sign_valid
from faceid_bridge.channels.h5_lite.evaluator import evaluate
from faceid_bridge.domain.audit import AuditEntry
from faceid_bridge.domain.lifecycle import can_transition, from_faceid
from faceid_bridge.domain.secret_rotation import FaceIdSecret
from faceid_bridge.domain.verification import Channel, Verification
from faceid_bridge.errors import ArgumentError, ConfigurationError, NotFound, PayloadTooLarge, Unauthorized
from faceid_bridge.forms import parse_form
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import about_verification, logger, metrics
from faceid_bridge.ports import Verifications
from faceid_bridge.services.transitions import advance_with_audit, unchanged

# No string in FaceID's callback data comes near this (images are never in callbacks; biz_extra_data
# is at most 4 KB, 24 KB escaped); a signed payload with a larger one is refused rather than stored
# or put in an event.
MAX_CALLBACK_STRING = 64 * 1024


def verify_callback(
    body: bytes, content_type: str, *, credentials: FaceIdSecret, settings: H5LiteCallbacksConfig, now: datetime
) -> tuple[LiteResult, dict[str, Any]]:
    """The signed result in a callback body, or an error. Raises before trusting anything unsigned."""
    if len(body) > settings.max_callback_body_bytes:
        raise PayloadTooLarge("REQUEST_ENTITY_TOO_LARGE")
    signing_secrets = credentials.signing_secrets(now, HOSTING.regions())
    if not signing_secrets:
        region = settings.faceid_region(Channel.H5_LITE)
        logger.error("the FaceID secret has no key pair for an H5 Lite region", extra={"region": region.value})
        raise ConfigurationError(f"CONFIGURATION_ERROR:faceid_secret.{region.value}")
    form = parse_form(body, content_type)
    data, sign = (
        [v.decode("utf-8", "replace") for v in form.get("data", [])],
        [v.decode("ascii", "replace") for v in form.get("sign", [])],
    )
    if len(data) != 1 or len(sign) != 1 or not lite_sign_valid(signing_secrets, data[0], sign[0]):
        metrics.add_metric(name=Metric.SIGNATURE_FAILURES, unit="Count", value=1)
        logger.warning("callback refused: missing or invalid sign")
        raise Unauthorized("AUTHENTICATION_ERROR:sign")
    try:
        payload = bounded_json.loads(data[0], max_string=MAX_CALLBACK_STRING)
        return LiteResult.model_validate(payload), payload
    except (ValueError, ValidationError):
        metrics.add_metric(name=Metric.MALFORMED_CALLBACKS, unit="Count", value=1)
        raise ArgumentError.bad("data") from None


def apply_result(
    result: LiteResult,
    payload: dict[str, Any],
    *,
    source: str,
    store: Verifications,
    now: datetime,
    verification_id: str | None = None,
) -> Verification | None:
    """Move the verification FaceID's result belongs to through the state machine. `verification_id`
    is a hint (notify_url's query, not signed): used only if that verification has the signed biz_id.

    Idempotent (see `advance`): a duplicate or stale result writes nothing, not even its audit
    record; one after the customer's cancel is a late callback (`unchanged`). Returns the
    verification as it now stands, or None for an unknown biz_id (an orphan).
    """
    verification = store.find_by_biz_id(result.biz_info.biz_id, verification_id=verification_id)
    if verification is None:
        metrics.add_metric(name=Metric.ORPHAN_CALLBACKS, unit="Count", value=1)
        logger.warning("signed callback for an unknown biz_id", extra={"source": source})
        return None
    about_verification(verification.verification_id)

    incoming = from_faceid(result.status)
    if not can_transition(verification.status, incoming):
        # A duplicate or stale result, not even evaluated.
        return unchanged(verification, answer=AuditEntry(source, payload, now), store=store)
    outcome = evaluate(result, incoming, far_level=verification.far_level, references=verification.references)
    return advance_with_audit(verification, outcome, source=source, payload=payload, store=store, now=now)


def receive_notify(
    body: bytes,
    content_type: str,
    *,
    verification_id: str | None,
    settings: H5LiteCallbacksConfig,
    store: Verifications,
    credentials: FaceIdSecret,
) -> None:
    now = datetime.now(UTC)
    result, payload = verify_callback(body, content_type, credentials=credentials, settings=settings, now=now)
    apply_result(result, payload, source="notify", store=store, now=now, verification_id=verification_id)


def with_result(url: str, verification: Verification) -> str:
    """`url` with verification_id and status appended to its query, its fragment kept."""
    parts = urlsplit(url)
    extra = urlencode({"verification_id": verification.verification_id, "status": verification.status.value})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


def return_location(
    *,
    biz_id: str | None = None,
    verification_id: str | None = None,
    body: bytes | None = None,
    content_type: str = "",
    base_url: str,
    settings: H5LiteCallbacksConfig,
    store: Verifications,
    credentials: FaceIdSecret,
) -> str:
    """Where the user's browser goes back to: always the stored redirect_url (or our result page),
    never a target taken from the request. A signed POST return also advances the state machine.
    `verification_id` is return_url's hint, as notify_url's (apply_result): used only if that
    verification has the biz_id."""
    if body is not None:
        now = datetime.now(UTC)
        result, payload = verify_callback(body, content_type, credentials=credentials, settings=settings, now=now)
        verification = apply_result(
            result, payload, source="return", store=store, now=now, verification_id=verification_id
        )
    elif biz_id:
        verification = store.find_by_biz_id(biz_id, verification_id=verification_id)
    else:
        raise ArgumentError.missing("biz_id")
    if verification is None:
        raise NotFound("NOT_FOUND:biz_id")
    return with_result(verification.redirect_url or f"{base_url}/v1/faceid/result", verification)


def finished_verification(verification_id: str, *, store: Verifications) -> Verification | None:
    """The verification the result page speaks of (faceid_bridge.result_page), read from the
    store: the page's query string is the browser's to edit. None for an id that is not one."""
    if not verification_id.startswith("vrf_") or len(verification_id) > 64:
        return None
    return store.get(verification_id)
