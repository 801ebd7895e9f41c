"""What the store keeps of FaceID's answer that moved a verification: written in the same
transaction as the transition it caused (docs/decisions.md §11), never one without the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    source: str  # notify, return, get_result, app_verify, raw_verify...
    payload: dict[str, Any]
    received_at: datetime
