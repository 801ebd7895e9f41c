"""The sandbox's one state object: everything a FaceID account remembers (tokens, flows, biz_nos,
signs, permissions), its clock and its fault switches. create_server() makes a fresh one unless it is
given one, so tests never reset module globals."""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from infra.sandbox.faults import FaultSwitches

# What the account may do: KYC against the data source (003), face comparison and passive liveness (002, notes §5)
PERMISSIONS = {"data_source": True, "face_comparison": True, "passive_liveness": True}


@dataclass
class SandboxState:
    # The console's default whole-flow timeout (notes §1); shorter for tests that wait for expiry.
    token_ttl_seconds: int = field(default_factory=lambda: int(os.environ.get("SANDBOX_TOKEN_TTL_SECONDS", "3600")))
    faults: FaultSwitches = field(default_factory=FaultSwitches)
    lock: threading.Lock = field(default_factory=threading.Lock)
    clock_offset: float = 0.0
    # H5 Lite
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # by token
    by_biz_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    biz_nos: set[str] = field(default_factory=set)
    # App and H5 Raw
    biz_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_one_time_signs: set[str] = field(default_factory=set)
    token_uses: Counter[str] = field(default_factory=Counter)  # verify calls per biz_token / token_still
    permissions: dict[str, bool] = field(default_factory=lambda: dict(PERMISSIONS))
    package_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # seals meglive_data

    def now(self) -> float:
        return time.time() + self.clock_offset
