"""H5 Raw: raw/verify (002), with the token_still of validate_still (notes §5): its models and its call."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, model_validator

from faceid_bridge.faceid.calls import FaceIdCall, FormOptions
from faceid_bridge.faceid.common import (
    ComparisonResult,
    Flag,
    FormParameters,
    Image,
    Lenient,
    NonEmpty,
    Text,
    as_str,
    max_bytes,
    missing,
)


class RawVerifyOptions(FormParameters):
    """The parameters of lite/raw/verify (002) besides credentials, in the document's order."""

    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_bytes="base64", defer_build=True)

    token: NonEmpty
    biz_no: Annotated[NonEmpty, max_bytes(128)] | None = None
    comparison_type: Annotated[Literal["0"], BeforeValidator(as_str)]
    uuid: Annotated[NonEmpty, max_bytes(512)]
    image_ref1: Image | None = None
    image_ref2: Image | None = None
    image_ref3: Image | None = None
    multi_oriented_detection: Flag | None = None
    fail_when_ref_multiple_faces: Flag | None = None

    @model_validator(mode="after")
    def _references(self) -> RawVerifyOptions:
        if self.image_ref1 is None:
            raise missing("image_ref1")
        if self.image_ref3 is not None and self.image_ref2 is None:
            raise missing("image_ref2")
        return self


class RawLiveness(Lenient):
    procedure_validation: Text
    face_genuineness: Text | None = None  # absent when procedure_validation is not PASSED


class RawVerifyResult(Lenient):
    request_id: Text
    biz_no: Text | None = None
    liveness: RawLiveness
    result_ref1: ComparisonResult | None = None
    result_ref2: ComparisonResult | None = None
    result_ref3: ComparisonResult | None = None

    def refs(self) -> dict[str, ComparisonResult]:
        found = (("ref1", self.result_ref1), ("ref2", self.result_ref2), ("ref3", self.result_ref3))
        return {name: ref for name, ref in found if ref}


VERIFY = "/faceid/lite/raw/verify"


def verify_call(options: FormOptions) -> FaceIdCall[RawVerifyResult]:
    return FaceIdCall.of(VERIFY, RawVerifyResult, options)
