"""Where the local stack's parts listen, and waiting for them: what the stack, its clients and the
tests share (a module of its own, so that none of them imports another's)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

# The gateway must listen on a port FaceID calls back on (000: 443, 5000, 16003, 8883 or 8028), or
# the sandbox refuses its notify_url. Each port moves with its variable, so that two stacks (two
# work trees) can run side by side.
GATEWAY_PORT_VARIABLE, SANDBOX_PORT_VARIABLE = "FACEID_BRIDGE_GATEWAY_PORT", "FACEID_BRIDGE_SANDBOX_PORT"
DEFAULT_GATEWAY_PORT, DEFAULT_SANDBOX_PORT = 8028, 8029


def _port(variable: str, default: int) -> int:
    return int(os.environ.get(variable) or default)


@dataclass(frozen=True)
class Endpoints:
    aws: str
    region: str
    gateway: str = f"http://127.0.0.1:{DEFAULT_GATEWAY_PORT}"
    sandbox: str = f"http://127.0.0.1:{DEFAULT_SANDBOX_PORT}"

    @classmethod
    def from_environment(cls) -> Endpoints:
        return cls(
            aws=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            gateway=f"http://127.0.0.1:{_port(GATEWAY_PORT_VARIABLE, DEFAULT_GATEWAY_PORT)}",
            sandbox=f"http://127.0.0.1:{_port(SANDBOX_PORT_VARIABLE, DEFAULT_SANDBOX_PORT)}",
        )

    def occupied(self) -> list[str]:
        """For each part's port something already listens on: what it is and how to move it. The
        stack never reuses what it finds there (another tool's server on 4566, or a leftover)."""
        parts = [
            ("AWS (moto)", self.aws, "AWS_ENDPOINT_URL=http://127.0.0.1:<port>"),
            ("the FaceID sandbox", self.sandbox, f"{SANDBOX_PORT_VARIABLE}=<port>"),
            ("the API gateway", self.gateway, f"{GATEWAY_PORT_VARIABLE}=<443|5000|16003|8883|8028>"),
        ]
        return [
            f"port {urlsplit(url).port} for {part} is in use: stop what listens there, or set {setting}"
            for part, url, setting in parts
            if reachable(url)
        ]

    @property
    def gateway_port(self) -> int:
        return urlsplit(self.gateway).port or 80

    @property
    def sandbox_port(self) -> int:
        return urlsplit(self.sandbox).port or 80


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    with suppress(OSError), socket.create_connection((parts.hostname, parts.port or 80), timeout=0.5):
        return True
    return False


def wait_for(url: str, seconds: float = 30, *, process: subprocess.Popen[bytes] | None = None) -> None:
    """Until `url` answers; at once with an error if `process`, which should serve it, has exited."""
    deadline = time.monotonic() + seconds
    while not reachable(url):
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: its process exited with {process.returncode} (see .local/*.log)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not come up")
        time.sleep(0.1)
