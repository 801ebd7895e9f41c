"""boto3 clients, created once per process and reused across invocations.

boto3 reads AWS_ENDPOINT_URL and AWS_REGION itself, so the same code talks to AWS when deployed and
to the local moto server on this machine.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

# boto3's default session is not thread-safe: the reconciler's workers may create a client at once.
_CREATING = threading.Lock()


@cache
def client(service: str) -> Any:
    import boto3  # imported on first use: handlers that never touch a service never pay for it
    from botocore.config import Config

    with _CREATING:
        return boto3.client(service, config=Config(retries={"mode": "standard", "max_attempts": 5}))
