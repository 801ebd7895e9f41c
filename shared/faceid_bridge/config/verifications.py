"""The models of the functions that read and change verifications through the API: the table only."""

from __future__ import annotations

from faceid_bridge.config import StoreConfig


class VerificationReadConfig(StoreConfig):
    pass


class VerificationChangesConfig(StoreConfig):
    pass
