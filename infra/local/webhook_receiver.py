"""A webhook endpoint for the local stack (`make demo`, the e2e tests): every delivery it receives
is verified with the `standardwebhooks` library from PyPI, never with our own signing code.

Each subscription gets a path (`/hooks/<name>`); `secrets[name]` is what the receiver verifies it
with (each on its own: after a rotation, the old and the new secret must each verify), and
`failures[name]` how many deliveries to that path it answers 500 before it answers 204 (-1: always
500, a dead endpoint).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

PORT_VARIABLE = "FACEID_BRIDGE_RECEIVER_PORT"
DEFAULT_PORT = 8030


def receiver_port() -> int:
    return int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT))


def receiver_target() -> str:
    """The receiver's `host:port`, which the local stack admits as a webhook endpoint."""
    return f"127.0.0.1:{receiver_port()}"


@dataclass(frozen=True)
class Delivery:
    name: str
    verified_by: list[int]  # which of the path's secrets verify it, each on its own
    webhook_id: str
    status: int
    payload: dict[str, Any]  # the body as sent, whether it verified or not

    @property
    def verified(self) -> bool:
        return bool(self.verified_by)


@dataclass
class Receiver:
    port: int = field(default_factory=receiver_port)
    secrets: dict[str, list[str]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        name = request.path.removeprefix("/hooks/")
        body, headers = request.get_data(as_text=True), dict(request.headers)
        verified_by = []
        for index, secret in enumerate(self.secrets.get(name, [])):
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            verified_by.append(index)
        left = self.failures.get(name, 0)
        status = 401 if not verified_by else 204 if left == 0 else 500
        if status == 500 and left > 0:
            self.failures[name] = left - 1
        delivery = Delivery(name, verified_by, headers.get("Webhook-Id", ""), status, json.loads(body))
        self.deliveries.append(delivery)
        return Response(status=status)(environ, start_response)

    def received(self, name: str, verification_id: str) -> list[Delivery]:
        """The deliveries to `name` of one verification's events, verified or not."""
        return [
            delivery
            for delivery in self.deliveries
            if delivery.name == name and delivery.payload["data"]["verification_id"] == verification_id
        ]

    def wait_for(self, name: str, verification_id: str, count: int, seconds: float = 30) -> list[Delivery]:
        """The deliveries to `name` of the verification's events once there are `count` (or time runs out)."""
        deadline = time.monotonic() + seconds
        while len(self.received(name, verification_id)) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        return self.received(name, verification_id)

    def start(self) -> Receiver:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per delivery
        server = make_server("127.0.0.1", self.port, self, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True, name="webhook-receiver").start()
        self._server = server
        return self

    def stop(self) -> None:
        self._server.shutdown()
