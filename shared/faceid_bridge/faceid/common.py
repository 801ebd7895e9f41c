"""What every FaceID API shares: field types and their rules, the error form (ContractError),
form parameters, the tolerant base of FaceID's answers, face comparison results, and redaction.

Every model's schema is built on first use (defer_build), so a function pays only for the models of
the APIs it calls, not for all of them at import (cold start). docs/faceid.md holds the sources,
cited here by section (000-003, notes §N).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

FAR_LEVELS = ("1e-3", "1e-4", "1e-5", "1e-6")
FarLevel = Literal["1e-3", "1e-4", "1e-5", "1e-6"]
NOTIFY_PORTS = frozenset({443, 5000, 16003, 8883, 8028})
MAX_IMAGE_BYTES = 2 * 1024 * 1024


# --- field types -------------------------------------------------------------------------------


def max_bytes(limit: int) -> AfterValidator:
    def check(value: str) -> str:
        if len(value.encode("utf-8")) > limit:
            raise PydanticCustomError("too_long", "longer than {limit} bytes", {"limit": limit})
        return value

    return AfterValidator(check)


def as_str(value: Any) -> Any:
    # Form posts carry strings; JSON clients may send 1 for "1". Both mean the same parameter value.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def base64_bytes(text: str) -> bytes:
    """Base64 in either alphabet: standard (RFC 4648 §4, what FaceID's docs and most encoders write)
    or URL-safe (§5, what pydantic writes for bytes, our own request models included, and what the
    OpenAPI document showed as `base64url`). Tolerating both is the fix that keeps every written
    client working; the models' serializer stays as it is because creation's request fingerprint
    hashes their JSON, and changing it would turn a replay of an earlier create into a 409. One
    string uses one alphabet: `-`/`_` beside `+`/`/` is refused. Raises ValueError."""
    url_safe = "-" in text or "_" in text
    if url_safe and ("+" in text or "/" in text):
        raise binascii.Error("two base64 alphabets in one string")
    return base64.b64decode(text, altchars=b"-_" if url_safe else None, validate=True)


def _image_bytes(value: Any) -> Any:
    # JSON clients send base64; multipart clients (and the sandbox) send the file's bytes.
    if isinstance(value, str):
        try:
            return base64_bytes(value)
        except ValueError:  # binascii.Error, or text that is not ASCII
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
Flag = Annotated[Literal["0", "1"], BeforeValidator(as_str)]
Image = Annotated[bytes, BeforeValidator(_image_bytes), AfterValidator(_image_size)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
NotifyUrl = Annotated[str, AfterValidator(_http_url), AfterValidator(_notify_port)]
BizNo = Annotated[NonEmpty, max_bytes(128)]


class ContractError(ValueError):
    """A request FaceID would refuse, in FaceID's own form: `MISSING_ARGUMENTS:<key>` or
    `BAD_ARGUMENTS:<key>` (000's general error table)."""

    def __init__(self, kind: Literal["MISSING_ARGUMENTS", "BAD_ARGUMENTS"], key: str) -> None:
        self.kind, self.key = kind, key
        self.message = f"{kind}:{key}"
        super().__init__(self.message)


def bad(key: str) -> PydanticCustomError:
    """Raised inside a validator: the request is refused `BAD_ARGUMENTS:<key>`."""
    return PydanticCustomError("bad_argument", "BAD_ARGUMENTS:{key}", {"key": key})


def missing(key: str) -> PydanticCustomError:
    """Raised inside a validator: the request is refused `MISSING_ARGUMENTS:<key>`."""
    return PydanticCustomError("missing_argument", "MISSING_ARGUMENTS:{key}", {"key": key})


def contract_error(exc: ValidationError) -> ContractError:
    """The first validation error, in FaceID's form."""
    first = exc.errors(include_url=False)[0]
    key = (first.get("ctx") or {}).get("key") or (str(first["loc"][0]) if first["loc"] else "body")
    is_missing = first["type"] in ("missing", "missing_argument")
    return ContractError("MISSING_ARGUMENTS" if is_missing else "BAD_ARGUMENTS", key)


def parse[M: BaseModel](model: type[M], data: Any) -> M:
    """Validate `data` into `model`, raising ContractError in FaceID's form."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise contract_error(exc) from None


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


# --- answers: FaceID may add fields and values at any time -----------------------------------------


class Lenient(BaseModel):
    # FaceID may add fields and values at any time: unknown fields are ignored, text fields take any
    # scalar, numbers take numeric strings, and only what a decision needs is required.
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)


def _scalar_as_str(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Text = Annotated[str, BeforeValidator(_scalar_as_str)]
Score = Annotated[float, Field(ge=0, le=1)]
Confidence = Annotated[float, Field(ge=0, le=100)]


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


class ComparisonResult(Lenient):
    confidence: Confidence
    thresholds: Annotated[dict[str, Confidence], BeforeValidator(_known_levels_kept)]


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
