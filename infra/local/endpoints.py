"""Where the local stack's parts listen, and waiting for them: what the stack, its clients and the
tests share (a module of its own, so that none of them imports another's)."""

from __future__ import annotations

import os
import socket
import time
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

GATEWAY_PORT, SANDBOX_PORT = 8028, 8029  # 8028 is one of the ports FaceID calls back on


@dataclass(frozen=True)
class Endpoints:
    aws: str
    region: str
    gateway: str = f"http://127.0.0.1:{GATEWAY_PORT}"
    sandbox: str = f"http://127.0.0.1:{SANDBOX_PORT}"

    @classmethod
    def from_environment(cls) -> Endpoints:
        return cls(
            aws=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        )


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    with suppress(OSError), socket.create_connection((parts.hostname, parts.port or 80), timeout=0.5):
        return True
    return False


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not reachable(url):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not come up")
        time.sleep(0.1)
