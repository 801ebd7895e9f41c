"""DynamoDB adapters, one module per concern over the one table (codec.py has its key design).

The functions' wiring builds one VerificationStore, which is every concern at once; each service
asks, by the port it is typed with (ports.py), only for the concerns it uses.
"""

from __future__ import annotations

from typing import Any

from faceid_bridge.adapters.dynamodb.changes import VerificationChanges
from faceid_bridge.adapters.dynamodb.claims import BizNoClaims
from faceid_bridge.adapters.dynamodb.codec import Table
from faceid_bridge.adapters.dynamodb.due_index import DueIndex
from faceid_bridge.adapters.dynamodb.leases import Leases
from faceid_bridge.adapters.dynamodb.listing import VerificationListing
from faceid_bridge.adapters.dynamodb.verifications import VerificationRepository


class VerificationStore(
    VerificationRepository, BizNoClaims, DueIndex, Leases, VerificationChanges, VerificationListing
):
    def __init__(
        self,
        table_name: str,
        *,
        verification_retention_days: int = 365,
        audit_retention_days: int = 30,
        keep_idcard_info: bool = False,
        dynamodb: Any = None,
    ) -> None:
        self.table = Table(table_name, verification_retention_days, audit_retention_days, keep_idcard_info, dynamodb)

    @property
    def table_name(self) -> str:
        return self.table.name

    @property
    def dynamodb(self) -> Any:
        return self.table.dynamodb
