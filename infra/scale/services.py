"""Everything `make scale` uses of the product, imported here and only here: the services it runs
unchanged (creation, the callbacks' state machine, the reconciler, the publisher) and the settings
and limits they are configured with. When the services move, this is the one module to adapt."""

from faceid_bridge.adapters.bus import PUT_EVENTS_LIMIT
from faceid_bridge.adapters.dynamodb.codec import DUE_BUCKETS, verification_from_image
from faceid_bridge.channels import hosting
from faceid_bridge.channels.h5_lite import contract as lite
from faceid_bridge.channels.h5_lite import paths as lite_paths
from faceid_bridge.channels.h5_lite.api import CreateVerificationRequest
from faceid_bridge.channels.h5_lite.callbacks import apply_result
from faceid_bridge.channels.h5_lite.creation import create_verification
from faceid_bridge.config import MAX_FACEID_CALLS_AT_ONCE, CreationConfig, FaceIdConfig, ReconcileConfig
from faceid_bridge.config.publisher import BusConfig
from faceid_bridge.domain.verification import Channel
from faceid_bridge.errors import FaceIdRejected
from faceid_bridge.faceid.calls import FaceIdCall
from faceid_bridge.observability import logger
from faceid_bridge.services.publisher import publish_records
from faceid_bridge.services.reconciler import reconcile_due

__all__ = [
    "DUE_BUCKETS",
    "MAX_FACEID_CALLS_AT_ONCE",
    "PUT_EVENTS_LIMIT",
    "BusConfig",
    "Channel",
    "CreateVerificationRequest",
    "CreationConfig",
    "FaceIdCall",
    "FaceIdConfig",
    "FaceIdRejected",
    "ReconcileConfig",
    "apply_result",
    "create_verification",
    "hosting",
    "lite",
    "lite_paths",
    "logger",
    "publish_records",
    "reconcile_due",
    "verification_from_image",
]
