"""The FaceID contract, mirrored from the provider docs (docs/faceid.md cites them by section).

Every model's schema is built on first use (defer_build), so a function pays only for the models of
the APIs it calls, not for all of them at import (cold start).

One module, used by both sides: faceid-bridge validates its clients' requests with these models
before FaceID is called, and the sandbox enforces the same rules as FaceID does.

- `GetTokenOptions` / `GetTokenRequest`: 000 (lite/get_token)
- `LiteResult`: 001 (notify/return `data`), also the get_result body (notes §2)
- `lite_sign`: the callback signature, sign = sha1(api_secret + data), lowercase hex
- `app_sign` / `check_app_sign`: App-Authentication (notes §3), for the App (SDK) APIs
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from faceid_bridge.errors import ArgumentError

FAR_LEVELS = ("1e-3", "1e-4", "1e-5", "1e-6")
FarLevel = Literal["1e-3", "1e-4", "1e-5", "1e-6"]
NOTIFY_PORTS = frozenset({443, 5000, 16003, 8883, 8028})
MAX_IMAGE_BYTES = 2 * 1024 * 1024
LITE_STATUSES = ("NOT_STARTED", "PROCESSING", "WEBRTC_UNSUPPORTED", "OK", "FAILED", "CANCELLED", "TIMEOUT")
LiteStatus = Literal["NOT_STARTED", "PROCESSING", "WEBRTC_UNSUPPORTED", "OK", "FAILED", "CANCELLED", "TIMEOUT"]
SPOOF_KINDS = ("synthetic_face", "mask", "screen_replay")


# --- field types -------------------------------------------------------------------------------


def _max_bytes(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value.encode("utf-8")) > limit:
            raise PydanticCustomError("too_long", "longer than {limit} bytes", {"limit": limit})
        return value

    return AfterValidator(check)


def _as_str(value: Any) -> Any:
    # Form posts carry strings; JSON clients may send 1 for "1". Both mean the same parameter value.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _image_bytes(value: Any) -> Any:
    # JSON clients send base64; multipart clients (and the sandbox) send the file's bytes.
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise PydanticCustomError("not_base64", "not valid base64") from None
    return value


def _image_size(value: bytes) -> bytes:
    if not value:
        raise PydanticCustomError("empty_image", "empty image")
    if len(value) > MAX_IMAGE_BYTES:
        raise PydanticCustomError("image_too_large", "image over 2 MB")
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("bad_url", "not an absolute http(s) URL")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise PydanticCustomError("bad_url", "bad port") from None
    return value


def _notify_port(value: str) -> str:
    parts = urlsplit(value)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if port not in NOTIFY_PORTS:
        raise PydanticCustomError("bad_port", "notify_url port must be one of 443, 5000, 16003, 8883, 8028")
    return value


NonEmpty = Annotated[str, Field(min_length=1)]
Flag = Annotated[Literal["0", "1"], BeforeValidator(_as_str)]
Image = Annotated[bytes, BeforeValidator(_image_bytes), AfterValidator(_image_size)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
NotifyUrl = Annotated[str, AfterValidator(_http_url), AfterValidator(_notify_port)]
BizNo = Annotated[NonEmpty, _max_bytes(128)]


def _bad(key: str) -> PydanticCustomError:
    return PydanticCustomError("bad_argument", "BAD_ARGUMENTS:{key}", {"key": key})


def _missing(key: str) -> PydanticCustomError:
    return PydanticCustomError("missing_argument", "MISSING_ARGUMENTS:{key}", {"key": key})


def argument_error(exc: ValidationError) -> ArgumentError:
    """The first validation error, in FaceID's `MISSING_ARGUMENTS:<key>` / `BAD_ARGUMENTS:<key>` form."""
    first = exc.errors(include_url=False)[0]
    key = (first.get("ctx") or {}).get("key") or (str(first["loc"][0]) if first["loc"] else "body")
    if first["type"] in ("missing", "missing_argument"):
        return ArgumentError.missing(key)
    return ArgumentError.bad(key)


def parse[M: BaseModel](model: type[M], data: Any) -> M:
    """Validate `data` into `model`, raising ArgumentError in FaceID's form."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise argument_error(exc) from None


# --- requests sent as forms ----------------------------------------------------------------------


class FormParameters(BaseModel):
    """A FaceID request's parameters, sent as a form: strings as fields, images as files. Only the
    document's parameters are sent: the fields of the class that derives from this one directly,
    never those a subclass adds (our own, like far_level)."""

    def _parameters(self) -> dict[str, Any]:
        document = next(c for c in type(self).__mro__ if issubclass(c, BaseModel) and FormParameters in c.__bases__)
        return self.model_dump(exclude_none=True, include=set(document.model_fields))

    def form_fields(self) -> dict[str, str]:
        return {key: str(value) for key, value in self._parameters().items() if not isinstance(value, bytes)}

    def files(self) -> dict[str, bytes]:
        return {key: value for key, value in self._parameters().items() if isinstance(value, bytes)}

    @property
    def reference_count(self) -> int:
        """How many reference photos (image_ref1, image_ref2, image_ref3) the request carries."""
        return sum(getattr(self, f"image_ref{index}", None) is not None for index in (1, 2, 3))


# --- lite/get_token (000) ----------------------------------------------------------------------


class GetTokenOptions(FormParameters):
    """The parameters of lite/get_token that describe the verification (everything but credentials
    and callback URLs), in the document's order so the first error reported is the first in the doc."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    biz_no: Annotated[NonEmpty, _max_bytes(128)]
    biz_extra_data: Annotated[str, _max_bytes(4096)] | None = None
    scene_id: NonEmpty | None = None
    language: Annotated[Literal["0", "1", "2", "3", "4", "5", "6"], BeforeValidator(_as_str)] | None = None
    procedure_type: Literal["flash", "still"] | None = None
    procedure_priority: Literal["still", "keep"] | None = None
    get_shooting_error: Flag | None = None
    maximum_shooting_time: Annotated[int, Field(ge=2, le=60)] | None = None
    comparison_type: Annotated[Literal["0", "-1"], BeforeValidator(_as_str)]
    uuid: Annotated[NonEmpty, _max_bytes(512)]
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    multi_oriented_detection: Flag | None = None
    fail_when_ref_multiple_faces: Flag | None = None
    return_multifaces_tag: Flag | None = None
    fmp_mode: Flag | None = None
    get_fail_reason: Flag | None = None
    face_occlusion_detection: Flag | None = None
    eye_close_detection: Flag | None = None
    action_http_method: Literal["GET", "POST"] | None = None
    redirect_type: Flag | None = None

    @model_validator(mode="after")
    def _combinations(self) -> GetTokenOptions:
        # procedure_priority only chooses flash's fallback; the doc gives it no meaning for still.
        if self.procedure_priority is not None and self.procedure_type == "still":
            raise _bad("procedure_priority")
        if self.comparison_type == "0" and self.image_ref1 is None:
            raise _missing("image_ref1")
        if self.image_ref2 is not None and self.image_ref1 is None:
            raise _missing("image_ref1")
        return self


class GetTokenRequest(GetTokenOptions):
    """The whole lite/get_token form as FaceID receives it (credentials are checked before this)."""

    api_key: NonEmpty
    api_secret: NonEmpty
    return_url: HttpUrl
    notify_url: NotifyUrl


class GetTokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    request_id: str
    time_used: int = 0
    token: str
    biz_id: str
    expired_time: int


# --- callbacks and get_result (001, notes §2) --------------------------------------------------


class _Lenient(BaseModel):
    # FaceID may add fields and values at any time: unknown fields are ignored, text fields take any
    # scalar, numbers take numeric strings, and only what a decision needs is required.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


def _scalar_as_str(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_scalar_as_str)]
Score = Annotated[float, Field(ge=0, le=1)]
Confidence = Annotated[float, Field(ge=0, le=100)]


class FaceGenuineness(_Lenient):
    synthetic_face_confidence: Score
    synthetic_face_threshold: Score
    mask_confidence: Score
    mask_threshold: Score
    screen_replay_confidence: Score
    screen_replay_threshold: Score


class LivenessResult(_Lenient):
    result: Literal["PASS", "FAIL"]
    procedure_type: Text | None = None
    details: dict[str, Any] | None = None  # counters today; whatever FaceID puts there tomorrow
    face_genuineness: FaceGenuineness | None = None


def _known_levels_kept(value: Any) -> Any:
    # A FAR level we do not know (1e-7, say) is kept when it holds a threshold, and dropped when it
    # holds anything else; the levels we decide by must be valid.
    if not isinstance(value, dict):
        return value

    def usable(key: str, threshold: Any) -> bool:
        if key in FAR_LEVELS:
            return True
        try:
            return 0 <= float(threshold) <= 100 and not isinstance(threshold, bool)
        except (TypeError, ValueError):
            return False

    return {key: threshold for key, threshold in value.items() if usable(key, threshold)}


class ComparisonResult(_Lenient):
    confidence: Confidence
    thresholds: Annotated[dict[str, Confidence], BeforeValidator(_known_levels_kept)]


class VerifyResult(_Lenient):
    error_message: Text | None = None
    result_ref1: ComparisonResult | None = None
    result_ref2: ComparisonResult | None = None
    verify_time: float | None = None

    def refs(self) -> dict[str, ComparisonResult]:
        return {name: ref for name, ref in (("ref1", self.result_ref1), ("ref2", self.result_ref2)) if ref}


class BizInfo(_Lenient):
    biz_id: Annotated[Text, Field(min_length=1)]
    biz_no: Text | None = None
    biz_extra_data: Text | None = None


class LiteResult(_Lenient):
    """The `data` JSON of notify/return, and the body of get_result."""

    status: LiteStatus
    fail_reason: Text | None = None
    shooting_error: bool | None = None
    biz_info: BizInfo
    liveness_result: LivenessResult | None = None
    verify_result: VerifyResult | None = None
    multifaces_tag: Text | None = None


# --- App: v3 get_biz_token (003) and v3 verify (notes §4) ---------------------------------------

LivenessType = Literal["meglive", "still", "flash", "raw_image"]
_PER_LIVENESS_TYPE = {
    "liveness_action_count": ("meglive",),
    "face_replace_detection": ("meglive",),
    "eyes_close_detection": ("still", "flash"),
    "flash_liveness_timeout": ("flash",),
    "image": ("raw_image",),
    "fail_when_multiple_faces": ("raw_image",),
    "face_quality_threshold": ("raw_image",),
    "return_faces": ("raw_image",),
}


class GetBizTokenOptions(FormParameters):
    """The parameters of v3 get_biz_token that describe the verification (all but sign/sign_version),
    in the document's order."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    liveness_type: LivenessType
    comparison_type: Annotated[Literal["0", "1"], BeforeValidator(_as_str)]
    idcard_name: NonEmpty | None = None
    idcard_number: Annotated[str, Field(pattern=r"^[0-9]{17}[0-9Xx]$")] | None = None
    uuid: Annotated[NonEmpty, _max_bytes(128)] | None = None
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    biz_no: Annotated[NonEmpty, _max_bytes(128)] | None = None
    liveness_timeout: Annotated[int, Field(ge=5, le=60)] | None = None
    liveness_action_count: Annotated[int, Field(ge=1, le=3)] | None = None
    face_replace_detection: Flag | None = None
    eyes_close_detection: Flag | None = None
    flash_liveness_timeout: Annotated[int, Field(ge=60, le=180)] | None = None
    image: Image | None = None
    fail_when_multiple_faces: Flag | None = None
    face_quality_threshold: Annotated[int, Field(ge=0, le=100, strict=False)] | None = None
    return_faces: Flag | None = None
    verbose: Flag | None = None
    security_level: Annotated[Literal["1", "2", "3", "4"], BeforeValidator(_as_str)] | None = None
    force_compare: Flag | None = None
    multi_oriented_detection: Flag | None = None
    liveness_level: Annotated[Literal["0", "1", "2"], BeforeValidator(_as_str)] | None = None
    maximum_brightness: Flag | None = None
    get_liveness_video: Annotated[Literal["0", "1", "2", "3"], BeforeValidator(_as_str)] | None = None
    device_risk: Flag | None = None
    multiple_faces_detection: Flag | None = None

    @model_validator(mode="after")
    def _combinations(self) -> GetBizTokenOptions:
        # Options of one liveness type ("four choose one" in 003) are refused with another.
        for name, types in _PER_LIVENESS_TYPE.items():
            if getattr(self, name) is not None and self.liveness_type not in types:
                raise _bad(name)
        if self.liveness_type == "raw_image" and self.image is None:
            raise _missing("image")
        if self.comparison_type == "1":  # KYC against the data source
            for key in ("idcard_name", "idcard_number"):
                if getattr(self, key) is None:
                    raise _missing(key)
        else:  # face comparison with the customer's photos
            if self.uuid is None:
                raise _missing("uuid")
            if self.image_ref1 is None:
                raise _missing("image_ref1")
            for key in ("idcard_name", "idcard_number"):
                if getattr(self, key) is not None:
                    raise _bad(key)
        if self.image_ref2 is not None and self.image_ref1 is None:
            raise _missing("image_ref1")
        return self


class GetBizTokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    request_id: str
    time_used: int = 0
    biz_token: str


class AttackResult(_Lenient):
    score: Score
    threshold: Score
    result: bool


class AppVerification(_Lenient):
    idcard: ComparisonResult | None = None
    ref1: ComparisonResult | None = None
    ref2: ComparisonResult | None = None


class AppVerifyResult(_Lenient):
    """v3 sdk/verify's answer (notes §4)."""

    request_id: Text | None = None
    biz_no: Text | None = None
    result_code: int
    result_message: Text
    verification: AppVerification | None = None
    attack_result: AttackResult | None = None


# --- H5 Raw: raw/verify (002) ----------------------------------------------------------------------


class RawVerifyOptions(FormParameters):
    """The parameters of lite/raw/verify (002) besides credentials, in the document's order."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    token: NonEmpty
    biz_no: Annotated[NonEmpty, _max_bytes(128)] | None = None
    comparison_type: Annotated[Literal["0"], BeforeValidator(_as_str)]
    uuid: Annotated[NonEmpty, _max_bytes(512)]
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    image_ref3: Image | None = None
    multi_oriented_detection: Flag | None = None
    fail_when_ref_multiple_faces: Flag | None = None

    @model_validator(mode="after")
    def _references(self) -> RawVerifyOptions:
        if self.image_ref1 is None:
            raise _missing("image_ref1")
        if self.image_ref3 is not None and self.image_ref2 is None:
            raise _missing("image_ref2")
        return self


class RawLiveness(_Lenient):
    procedure_validation: Text
    face_genuineness: Text | None = None  # absent when procedure_validation is not PASSED


class RawVerifyResult(_Lenient):
    request_id: Text
    biz_no: Text | None = None
    liveness: RawLiveness
    result_ref1: ComparisonResult | None = None
    result_ref2: ComparisonResult | None = None
    result_ref3: ComparisonResult | None = None

    def refs(self) -> dict[str, ComparisonResult]:
        found = (("ref1", self.result_ref1), ("ref2", self.result_ref2), ("ref3", self.result_ref3))
        return {name: ref for name, ref in found if ref}


def redacted(value: Any, *, keep_idcard_info: bool = False) -> Any:
    """A FaceID payload as we may keep it: never its images (get_result's `images`, any `image*`
    field), and without `idcard_info` (a person's ID-card OCR, notes §2) unless the operator chose
    to keep it (KeepIdCardInfo)."""

    def keep(key: str) -> bool:
        return not key.startswith("image") and (keep_idcard_info or key != "idcard_info")

    if isinstance(value, dict):
        return {k: redacted(v, keep_idcard_info=keep_idcard_info) for k, v in value.items() if keep(k)}
    if isinstance(value, list):
        return [redacted(item, keep_idcard_info=keep_idcard_info) for item in value]
    return value


# --- signatures ---------------------------------------------------------------------------------


def lite_sign(api_secret: str, data: str) -> str:
    """sign = sha1(API_SECRET + json_data), lowercase hex (001)."""
    # SHA-1 is FaceID's choice, not ours; the comparison below is what we control.
    return hashlib.sha1((api_secret + data).encode("utf-8")).hexdigest()  # noqa: S324


def lite_sign_valid(secrets: Iterable[str], data: str, sign: str) -> bool:
    """Constant-time check of `sign` against every accepted secret (current, and previous during rotation)."""
    provided = sign.strip().lower().encode("ascii", "replace")
    valid = False
    for secret in secrets:
        # No early exit: every secret is tried so timing does not tell which one matched.
        valid |= hmac.compare_digest(lite_sign(secret, data).encode("ascii"), provided)
    return valid


# --- App-Authentication (notes §3) ---------------------------------------------------------------

APP_SIGN_VERSION = "hmac_sha1"
_SHA1_BYTES = 20


def app_sign(api_key: str, api_secret: str, *, expire_time: int, current_time: int, random: str) -> str:
    """sign = Base64(HMAC-SHA1(api_secret, raw) || raw), raw = "a=<key>&b=<expire>&c=<now>&d=<random>".
    expire_time 0 makes a one-time sign; otherwise the sign is valid until expire_time."""
    raw = f"a={api_key}&b={expire_time}&c={current_time}&d={random}".encode()
    digest = hmac.new(api_secret.encode(), raw, hashlib.sha1).digest()
    return base64.b64encode(digest + raw).decode()


def check_app_sign(sign: str, secret_of: Callable[[str], str | None], now: int) -> tuple[str, str, int] | str:
    """(api_key, raw, expire_time) of a valid sign, or the AUTHORIZATION_ERROR reason it fails with:
    INVALID_SIGN (malformed, unknown key, wrong HMAC) or EXPIRED_SIGN (past expire_time)."""
    try:
        decoded = base64.b64decode(sign, validate=True)
        raw = decoded[_SHA1_BYTES:].decode("ascii")
        fields = dict(part.split("=", 1) for part in raw.split("&"))
        api_key, expire_time, current_time = fields["a"], int(fields["b"]), int(fields["c"])
        if list(fields) != ["a", "b", "c", "d"] or not fields["d"].isdigit() or len(fields["d"]) > 10:
            return "INVALID_SIGN"
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError):
        return "INVALID_SIGN"
    secret = secret_of(api_key)
    expected = hmac.new((secret or "").encode(), raw.encode(), hashlib.sha1).digest()
    if secret is None or not hmac.compare_digest(expected, decoded[:_SHA1_BYTES]):
        return "INVALID_SIGN"
    if expire_time and (expire_time < now or current_time > expire_time):
        return "EXPIRED_SIGN"
    return api_key, raw, expire_time
