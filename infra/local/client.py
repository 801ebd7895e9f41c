"""A downstream view of the local stack, shared by `make demo` and the end-to-end tests:
call the API as a customer's service (through faceid_bridge_client, the typed client), finish
flows in the sandbox, and subscribe to the bus.

The methods named after API routes answer the raw `Answer` (tests look at error statuses too);
`client.api` is the typed client itself."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import requests
from faceid_bridge_client import Answer, FaceIdBridgeClient

from faceid_bridge.channels import hosting
from faceid_bridge.domain.verification import Channel
from infra.local.endpoints import Endpoints

FACES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "faces"


def face_image(name: str = "one_face.jpg") -> str:
    """A reference photo from tests/fixtures/faces, base64-encoded as the API takes it."""
    return base64.b64encode((FACES / name).read_bytes()).decode()


class LocalClient:
    def __init__(self, endpoints: Endpoints | None = None) -> None:
        self.endpoints = endpoints or Endpoints.from_environment()
        self.http = requests.Session()  # the sandbox's routes, and FaceID's side of ours
        self.api = FaceIdBridgeClient(self.endpoints.gateway)

    @staticmethod
    def h5_lite_body(**fields: Any) -> dict[str, Any]:
        return {
            "biz_no": f"biz-{uuid.uuid4()}",
            "uuid": "user-1",
            "comparison_type": "0",
            "image_ref1": face_image(),
        } | fields

    def create(self, **fields: Any) -> Answer:
        return self.api.send("POST", "/v1/verifications", self.h5_lite_body(**fields))

    def get(self, verification_id: str) -> Answer:
        return self.api.send("GET", f"/v1/verifications/{verification_id}")

    def complete(self, token: str, outcome: str, **options: Any) -> dict[str, Any]:
        response = self.http.post(
            f"{self.endpoints.sandbox}/sandbox/v1/complete",
            json={"token": token, "outcome": outcome, **options},
            timeout=30,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def follow_return(self, finished: dict[str, Any]) -> requests.Response:
        """What the user's browser does after the flow: to the return_url FaceID was given (FaceID adds
        biz_id to its query on a GET, 001), not following our 303."""
        url = finished["return_url"]
        if finished["return_method"] == "GET":
            return self.http.get(url, params={"biz_id": finished["biz_id"]}, allow_redirects=False, timeout=10)
        return self.http.post(
            url, data={"data": finished["data"], "sign": finished["sign"]}, allow_redirects=False, timeout=10
        )

    @staticmethod
    def app_body(**fields: Any) -> dict[str, Any]:
        body = {"biz_no": f"app-{uuid.uuid4()}", "liveness_type": "still", "comparison_type": "0", "uuid": "user-1"}
        return body | {"image_ref1": face_image()} | fields

    def create_app_sdk(self, **fields: Any) -> Answer:
        return self.api.send("POST", "/v1/app-verifications", self.app_body(**fields))

    def sdk_package(self, biz_token: str, outcome: str) -> str:
        """What the MegLiveStill SDK on the phone would hand the app (base64), from the sandbox."""
        response = self.http.post(
            f"{self.endpoints.sandbox}/sandbox/v1/meglive_data",
            json={"biz_token": biz_token, "outcome": outcome},
            timeout=10,
        )
        response.raise_for_status()
        return str(response.json()["meglive_data"])

    def token_uses(self, token: str) -> int:
        """How many times FaceID (the sandbox) was sent this single-use token by a verify call."""
        response = self.http.get(f"{self.endpoints.sandbox}/sandbox/v1/token-uses", params={"token": token}, timeout=10)
        response.raise_for_status()
        return int(response.json()["uses"])

    def verify_app(self, verification_id: str, meglive_data: str) -> Answer:
        return self.api.send("POST", f"/v1/app-verifications/{verification_id}/verify", {"meglive_data": meglive_data})

    def raw_body(self, outcome: str, **fields: Any) -> dict[str, Any]:
        """A token_still as the customer's page would get it from validate_still, and the rest."""
        # On the Raw region's host, as validate_still would be: a token belongs to its region's key.
        raw_region = hosting(Channel.H5_RAW).default.value
        token = self.http.post(
            f"{self.endpoints.sandbox}/{raw_region}/sandbox/v1/raw_token", json={"outcome": outcome}, timeout=10
        ).json()["token_still"]
        body = {"biz_no": f"raw-{uuid.uuid4()}", "token": token, "comparison_type": "0", "uuid": "user-1"}
        return body | {"image_ref1": face_image()} | fields

    def create_raw(self, outcome: str, **fields: Any) -> Answer:
        return self.api.send("POST", "/v1/raw-verifications", self.raw_body(outcome, **fields))

    def notify(self, data: str, sign: str | None) -> requests.Response:
        form = {"data": data} if sign is None else {"data": data, "sign": sign}
        return self.http.post(f"{self.endpoints.gateway}/v1/faceid/notify", data=form, timeout=10)


class Subscriber:
    """An SQS queue behind an EventBridge rule on the bus, as a downstream service subscribes."""

    def __init__(
        self, endpoints: Endpoints | None = None, *, bus: str = "faceid-bridge", source: str = "faceid.bridge"
    ) -> None:
        endpoints = endpoints or Endpoints.from_environment()
        self.sqs = boto3.client("sqs", region_name=endpoints.region)
        events = boto3.client("events", region_name=endpoints.region)
        name = f"subscriber-{uuid.uuid4().hex[:8]}"
        self.rule = name  # what `make replay --rule` names to backfill this subscriber alone
        self.queue_url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def drain(self) -> None:
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
                "Messages", []
            )
            if not messages:
                return
            for message in messages:
                event = json.loads(message["Body"])
                self.events[event["detail"]["verification_id"]].append(event)
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    @contextmanager
    def draining(self, every: float = 5) -> Iterator[None]:
        """Drain every few seconds meanwhile, as a subscribed service would. moto's SQS counts all
        of a queue's messages on each send to it, so a queue left to fill through a long run (the
        chaos suite's thousands of events) makes every PutEvents slower than the one before."""
        stopped = threading.Event()

        def drain_until_stopped() -> None:
            while not stopped.wait(every):
                self.drain()

        drainer = threading.Thread(target=drain_until_stopped, name=f"drain-{self.rule}", daemon=True)
        drainer.start()
        try:
            yield
        finally:
            stopped.set()
            drainer.join()

    def wait_for(self, expected: dict[str, int], seconds: float = 20) -> dict[str, list[dict[str, Any]]]:
        """Events per verification once each has at least its expected count (or time runs out),
        plus a short grace period so that extra, unexpected events are caught too."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.drain()
            if all(len(self.events[vid]) >= count for vid, count in expected.items()):
                break
            time.sleep(0.2)
        time.sleep(1.0)
        self.drain()
        return {vid: self.events[vid] for vid in expected}
