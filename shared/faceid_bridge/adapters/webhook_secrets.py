"""Webhook signing secrets sealed with a KMS key of their own before they are stored, so that what
reads the table (a backup, an export, another function's role) does not read them. The encryption
context binds each ciphertext to its subscription: one cannot be moved to another's item."""

from __future__ import annotations

import base64
from typing import Any

from faceid_bridge.adapters import aws


class KmsSecrets:
    def __init__(self, key_id: str, kms: Any = None) -> None:
        self.key_id = key_id
        self._kms = kms
        self._opened: dict[str, str] = {}  # ciphertext -> secret: one Decrypt per secret per process

    @property
    def kms(self) -> Any:
        return self._kms or aws.client("kms")

    def seal(self, secret: str, subscription_id: str) -> str:
        sealed = self.kms.encrypt(
            KeyId=self.key_id, Plaintext=secret.encode(), EncryptionContext={"subscription_id": subscription_id}
        )["CiphertextBlob"]
        text = base64.b64encode(sealed).decode()
        self._opened[text] = secret
        return text

    def open(self, sealed: str, subscription_id: str) -> str:
        if sealed not in self._opened:
            plain = self.kms.decrypt(
                CiphertextBlob=base64.b64decode(sealed), EncryptionContext={"subscription_id": subscription_id}
            )["Plaintext"]
            self._opened[sealed] = plain.decode()
        return self._opened[sealed]
