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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, Self

from faceid_bridge.config import CreationConfig
from faceid_bridge.domain.biz_no import faceid_biz_no
from faceid_bridge.domain.verification import Channel, Verification, new_verification_id
from faceid_bridge.errors import BridgeError, ConfigurationError, Conflict, FaceIdOutcomeUnknown, RequestInProgress
from faceid_bridge.faceid.common import FarLevel
from faceid_bridge.metric_names import Metric
from faceid_bridge.observability import about_verification, correlation_id, count_by, logger, metrics
from faceid_bridge.ports import CreationStore, FaceId, Verifications
from faceid_bridge.services import single_use


def request_hash(request: ChannelRequest, key: bytes) -> str:
    """What makes two requests for one biz_no the same request (after defaults are applied). Keyed,
    so that a stored hash of a KYC request cannot be brute-forced back to a name and ID number."""
    return hmac.new(key, request.model_dump_json().encode(), hashlib.sha256).hexdigest()


class ChannelRequest(Protocol):
    """What every channel's create request is (its API model, which extends its FaceID options):
    the services see it through this, never the HTTP models themselves."""

    @property
    def biz_no(self) -> str: ...
    @property
    def comparison_type(self) -> str: ...
    @property
    def far_level(self) -> FarLevel | None: ...
    @property
    def reference_count(self) -> int: ...
    def form_fields(self) -> dict[str, str]: ...
    def files(self) -> dict[str, bytes]: ...
    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self: ...
    def model_dump_json(self) -> str: ...


def prepare[R: ChannelRequest](request: R, settings: CreationConfig, hash_key: bytes) -> tuple[R, str]:
    """A create request with the default FAR level applied, and its fingerprint."""
    request = request.model_copy(update={"far_level": request.far_level or settings.default_far_level})
    return request, request_hash(request, hash_key)


@dataclass(frozen=True)
class Creating:
    """A create request on its way, whatever the channel: the request (defaults applied), its
    fingerprint, and what every verification of it starts with."""

    channel: Channel
    request: ChannelRequest
    fingerprint: str
    region: str  # the FaceID region the channel's new flows go to
    grace_seconds: int
    now: datetime

    def verification(self, sent_biz_no: str, *, expires_at: datetime, **fields: Any) -> Verification:
        """The verification as every channel starts it, due for the reconciler `grace_seconds`
        after it expires; `fields` are the channel's own (an id chosen before FaceID was called
        among them). Without a biz_id of FaceID's, the verification's own id stands in for it."""
        verification_id = fields.pop("verification_id", None) or new_verification_id()
        fields.setdefault("biz_id", verification_id)
        request = self.request
        assert request.far_level is not None  # begin() applied the default
        return Verification(
            verification_id=verification_id,
            channel=self.channel,
            biz_no=request.biz_no,
            comparison_type=request.comparison_type,
            references=request.reference_count,
            far_level=request.far_level,
            request_hash=self.fingerprint,
            faceid_biz_no=None if sent_biz_no == request.biz_no else sent_biz_no,
            faceid_region=self.region,
            created_at=self.now,
            updated_at=self.now,
            expires_at=expires_at,
            due_at=int(expires_at.timestamp()) + self.grace_seconds,
            correlation_id=correlation_id(),
            **fields,
        )


def begin[R: ChannelRequest](
    channel: Channel, request: R, *, settings: CreationConfig, faceid: FaceId, hash_key: bytes, now: datetime | None
) -> tuple[R, Creating]:
    """The request with the default FAR level applied, and its creation begun."""
    request, fingerprint = prepare(request, settings, hash_key)
    region = faceid.region_of(channel)
    return request, Creating(
        channel, request, fingerprint, region, settings.reconcile_grace_seconds, now or datetime.now(UTC)
    )


@dataclass(frozen=True)
class SingleUseToken:
    """A create request that carries a single-use token (H5 Raw's token_still): `name` is its
    parameter, `unanswered` builds the verification stored when FaceID's answer is lost (it gets
    the biz_no FaceID was sent). Such a request is never sent to FaceID twice (services/single_use.py)."""

    name: str
    unanswered: Callable[[str], Verification]


def create_once[T](
    creating: Creating,
    *,
    store: CreationStore,
    call_faceid: Callable[[str], T],
    build: Callable[[T, str], Verification],
    single_use_token: SingleUseToken | None = None,
    index_biz_id: bool = False,
) -> tuple[Verification, bool]:
    """Create the verification for biz_no exactly once, whatever the channel. Returns it, and
    whether this call created it. The same biz_no with the same request returns the verification
    it already has, without calling FaceID again; with another request it is a conflict.

    Nothing is kept when FaceID refuses a first attempt. Once any attempt may have reached FaceID
    (an unknown outcome, or a lease taken over), the claim keeps its attempt count through every
    refusal, so that the next retry sends a biz_no FaceID has not seen. A request with a
    single-use token is not retried at all: its verification settles as FACEID_OUTCOME_UNKNOWN.
    `call_faceid` and `build` get the biz_no FaceID is sent; `index_biz_id` is for a channel whose
    callbacks find the verification by FaceID's biz_id."""
    biz_no, fingerprint, now = creating.request.biz_no, creating.fingerprint, creating.now
    claim = store.claim_biz_no(biz_no, fingerprint, now)
    if claim.claim_id is None:
        if claim.request_hash != fingerprint:
            raise Conflict("CONFLICT:biz_no")
        if claim.state == "CREATED" and claim.verification_id:
            existing = store.get(claim.verification_id)
            if existing is not None:
                about_verification(existing.verification_id)
                metrics.add_metric(name=Metric.IDEMPOTENT_REPLAYS, unit="Count", value=1)
                return existing, False
        raise RequestInProgress("REQUEST_IN_PROGRESS:biz_no", retry_after=1)
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
        metrics.add_metric(name=Metric.FACEID_OUTCOMES_UNKNOWN, unit="Count", value=1)
        raise
    except ConfigurationError:  # FaceID was never called; logged where found
        store.release_biz_no(biz_no, claim.claim_id)
        raise
    except BridgeError as exc:
        logger.warning("FaceID refused the request", extra={"error": exc.message})
        if claim.attempt:
            store.mark_ambiguous(biz_no, claim.claim_id)  # keeps the count: FaceID has seen a biz_no
        else:
            store.release_biz_no(biz_no, claim.claim_id)
        raise
    verification = build(answer, sent_biz_no)
    _store_created(verification, claim.claim_id, store=store, index_biz_id=index_biz_id)
    return verification, True


def _store_created(verification: Verification, claim_id: str, *, store: Verifications, index_biz_id: bool) -> None:
    about_verification(verification.verification_id)
    store.create(verification, claim_id, index_biz_id=index_biz_id)
    metrics.add_metric(name=Metric.VERIFICATIONS_CREATED, unit="Count", value=1)
    count_by(Metric.VERIFICATIONS_CREATED, channel=verification.channel)
    logger.info(
        "verification created", extra={"verification_id": verification.verification_id, "channel": verification.channel}
    )


def _settle_unanswered(
    token: SingleUseToken, sent_biz_no: str, claim_id: str, *, store: Verifications, now: datetime
) -> Verification:
    """The verification of a request whose single-use token FaceID may have spent: stored (so it
    has its events, like any other) and settled as FACEID_OUTCOME_UNKNOWN."""
    verification = token.unanswered(sent_biz_no)
    _store_created(verification, claim_id, store=store, index_biz_id=False)
    return single_use.settle_unknown(verification, source="create", store=store, now=now)
