"""Everything `make scale` uses of the product, imported here and only here: the services it runs
unchanged (creation, the callbacks' state machine, the reconciler, the publisher) and the settings
and limits they are configured with. When the services move, this is the one module to adapt."""

from faceid_bridge.adapters.bus import PUT_EVENTS_LIMIT
from faceid_bridge.adapters.store import DUE_BUCKETS
from faceid_bridge.api_models import CreateVerificationRequest
from faceid_bridge.config import Settings
from faceid_bridge.errors import FaceIdRejected
from faceid_bridge.faceid.app import AppVerifyResult, GetBizTokenOptions, GetBizTokenResponse
from faceid_bridge.faceid.lite import GetTokenOptions, GetTokenResponse, LiteResult
from faceid_bridge.faceid.raw import RawVerifyOptions, RawVerifyResult
from faceid_bridge.faceid.regions import DEFAULT_REGIONS
from faceid_bridge.observability import logger
from faceid_bridge.services.h5_lite import apply_result, create_verification
from faceid_bridge.services.publisher import publish_records
from faceid_bridge.services.reconciler import reconcile_due

__all__ = [
    "DEFAULT_REGIONS",
    "DUE_BUCKETS",
    "PUT_EVENTS_LIMIT",
    "AppVerifyResult",
    "CreateVerificationRequest",
    "FaceIdRejected",
    "GetBizTokenOptions",
    "GetBizTokenResponse",
    "GetTokenOptions",
    "GetTokenResponse",
    "LiteResult",
    "RawVerifyOptions",
    "RawVerifyResult",
    "Settings",
    "apply_result",
    "create_verification",
    "logger",
    "publish_records",
    "reconcile_due",
]
