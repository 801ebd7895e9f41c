"""The creation every channel shares: fingerprint the request, claim biz_no, call FaceID, store.

An unknown outcome (FaceID got the request, its answer did not reach us) must not lose the
biz_no: FaceID refuses a biz_no it has seen (000: "must be unique"), and no documented API looks a
flow up by biz_no (get_result takes biz_id). So the claim is marked AMBIGUOUS, and the client's
retry of the same request takes it over with the next attempt, which sends FaceID a fresh biz_no
derived from the customer's (`faceid_biz_no`). The customer's biz_no stays the idempotency key,
the verification's biz_no and the one in events; the one FaceID saw is kept as faceid_biz_no.
A request carrying a single-use token (H5 Raw) is the exception: it is never sent twice
(services/single_use.py).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from faceid_bridge.config import Settings
from faceid_bridge.domain.biz_no import faceid_biz_no
from faceid_bridge.domain.verification import Channel, Verification, new_verification_id
from faceid_bridge.errors import BridgeError, ConfigurationError, Conflict, FaceIdOutcomeUnknown
from faceid_bridge.faceid.common import FarLevel
from faceid_bridge.observability import about_verification, correlation_id, count_by, logger, metrics
from faceid_bridge.ports import Store
from faceid_bridge.services import single_use


def request_hash(request: BaseModel, key: bytes) -> str:
    """What makes two requests for one biz_no the same request (after defaults are applied). Keyed,
    so that a stored hash of a KYC request cannot be brute-forced back to a name and ID number."""
    return hmac.new(key, request.model_dump_json().encode(), hashlib.sha256).hexdigest()


class ChannelRequest(Protocol):
    """What every channel's create request has."""

    @property
    def biz_no(self) -> str: ...
    @property
    def comparison_type(self) -> str: ...
    @property
    def far_level(self) -> FarLevel | None: ...
    @property
    def reference_count(self) -> int: ...


def prepare[R: BaseModel](request: R, settings: Settings, hash_key: bytes) -> tuple[R, str]:
    """A create request with the default FAR level applied, and its fingerprint."""
    request = request.model_copy(
        update={"far_level": getattr(request, "far_level", None) or settings.default_far_level}
    )
    return request, request_hash(request, hash_key)


def new_verification(
    channel: Channel,
    request: ChannelRequest,
    fingerprint: str,
    *,
    sent_biz_no: str,
    settings: Settings,
    now: datetime,
    **fields: Any,
) -> Verification:
    """A verification as every channel starts it; `fields` are the channel's own (an id chosen
    before FaceID was called among them). Without a biz_id of FaceID's, the verification's own id
    stands in for it."""
    verification_id = fields.pop("verification_id", None) or new_verification_id()
    fields.setdefault("biz_id", verification_id)
    return Verification(
        verification_id=verification_id,
        channel=channel,
        biz_no=request.biz_no,
        comparison_type=request.comparison_type,
        references=request.reference_count,
        far_level=request.far_level or settings.default_far_level,
        request_hash=fingerprint,
        faceid_biz_no=None if sent_biz_no == request.biz_no else sent_biz_no,
        created_at=now,
        updated_at=now,
        correlation_id=correlation_id(),
        **fields,
    )


@dataclass(frozen=True)
class SingleUseToken:
    """A create request that carries a single-use token (H5 Raw's token_still): `name` is its
    parameter, `unanswered` builds the verification stored when FaceID's answer is lost (it gets
    the biz_no FaceID was sent). Such a request is never sent to FaceID twice (services/single_use.py)."""

    name: str
    unanswered: Callable[[str], Verification]


def create_once[T](
    biz_no: str,
    fingerprint: str,
    *,
    store: Store,
    now: datetime,
    call_faceid: Callable[[str], T],
    build: Callable[[T, str], Verification],
    single_use_token: SingleUseToken | None = None,
) -> tuple[Verification, bool]:
    """Create the verification for biz_no exactly once, whatever the channel. Returns it, and
    whether this call created it. The same biz_no with the same request returns the verification
    it already has, without calling FaceID again; with another request it is a conflict.

    Nothing is kept when FaceID refuses a first attempt. Once any attempt may have reached FaceID
    (an unknown outcome, or a lease taken over), the claim keeps its attempt count through every
    refusal, so that the next retry sends a biz_no FaceID has not seen. A request with a
    single-use token is not retried at all: its verification settles as FACEID_OUTCOME_UNKNOWN.
    `call_faceid` and `build` get the biz_no FaceID is sent."""
    claim = store.claim_biz_no(biz_no, fingerprint, now)
    if claim.claim_id is None:
        if claim.request_hash != fingerprint:
            raise Conflict("CONFLICT:biz_no")
        if claim.state == "CREATED" and claim.verification_id:
            existing = store.get(claim.verification_id)
            if existing is not None:
                about_verification(existing.verification_id)
                metrics.add_metric(name="IdempotentReplays", unit="Count", value=1)
                return existing, False
        raise Conflict("REQUEST_IN_PROGRESS:biz_no", retry_after=1)
    sent_biz_no = faceid_biz_no(biz_no, claim.attempt)
    if single_use_token and claim.attempt:  # an earlier attempt may have spent the token
        _settle_unanswered(single_use_token, sent_biz_no, claim.claim_id, store=store, now=now)
        raise single_use.spent(single_use_token.name)
    try:
        answer = call_faceid(sent_biz_no)
    except single_use.UNKNOWN_ANSWERS as unknown:
        logger.warning("FaceID's answer is unknown", extra={"attempt": claim.attempt, "error": unknown.message})
        if single_use_token:
            _settle_unanswered(single_use_token, sent_biz_no, claim.claim_id, store=store, now=now)
            raise FaceIdOutcomeUnknown(f"{single_use.OUTCOME_UNKNOWN}:{single_use_token.name}") from None
        store.mark_ambiguous(biz_no, claim.claim_id)
        metrics.add_metric(name="FaceIdOutcomesUnknown", unit="Count", value=1)
        raise
    except ConfigurationError:  # FaceID was never called; logged where found
        store.release_biz_no(biz_no, claim.claim_id)
        raise
    except BridgeError as exc:
        logger.warning("FaceID refused the request", extra={"error": exc.message, "status": exc.status})
        if claim.attempt:
            store.mark_ambiguous(biz_no, claim.claim_id)  # keeps the count: FaceID has seen a biz_no
        else:
            store.release_biz_no(biz_no, claim.claim_id)
        raise
    verification = build(answer, sent_biz_no)
    _store_created(verification, claim.claim_id, store=store)
    return verification, True


def _store_created(verification: Verification, claim_id: str, *, store: Store) -> None:
    about_verification(verification.verification_id)
    store.create(verification, claim_id)
    metrics.add_metric(name="VerificationsCreated", unit="Count", value=1)
    count_by("VerificationsCreated", channel=verification.channel)
    logger.info(
        "verification created", extra={"verification_id": verification.verification_id, "channel": verification.channel}
    )


def _settle_unanswered(
    token: SingleUseToken, sent_biz_no: str, claim_id: str, *, store: Store, now: datetime
) -> Verification:
    """The verification of a request whose single-use token FaceID may have spent: stored (so it
    has its events, like any other) and settled as FACEID_OUTCOME_UNKNOWN."""
    verification = token.unanswered(sent_biz_no)
    _store_created(verification, claim_id, store=store)
    return single_use.settle_unknown(verification, source="create", store=store, now=now)
