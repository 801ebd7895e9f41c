"""`make demo`'s webhook part: an endpoint subscribed to every event, which verifies each delivery
with the `standardwebhooks` library (infra/local/webhook_receiver.py), and its report."""

from __future__ import annotations

from faceid_bridge_client import FaceIdBridgeClient

from infra.local.webhook_receiver import Receiver


def subscribe(api: FaceIdBridgeClient) -> Receiver:
    receiver = Receiver().start()
    created = api.create_webhook_subscription({"url": receiver.url("demo")})
    receiver.secrets["demo"] = [created.secret]
    print(f"subscribed a webhook endpoint {created.url} ({created.subscription_id}, secret shown once)")
    return receiver


def report(api: FaceIdBridgeClient, receiver: Receiver, expected: dict[str, int]) -> bool:
    """Each verification's events (`expected`: how many) delivered once, verified, under their event
    ids; and the attempts of the last read back through the API."""
    print(f"\n{'webhooks':<14} {'verification':<27} deliveries (verified by standardwebhooks, HTTP status)")
    ok = True
    for vid, count in expected.items():
        deliveries = receiver.wait_for("demo", vid, count)
        good = len(deliveries) == count and all(d.verified and d.status == 204 for d in deliveries)
        good &= len({d.webhook_id for d in deliveries}) == count
        ok &= good
        shown = ", ".join(f"{d.payload['type']} {d.status}" for d in deliveries)
        print(f"{'':<14} {vid:<27} {shown}  {'OK' if good else 'UNEXPECTED'}")
    last = receiver.received("demo", list(expected)[-1])[-1].webhook_id
    attempts = api.get_webhook_attempts(last).attempts
    print(
        f"attempts of event {last}: "
        + ", ".join(f"#{a.attempt} {a.status_code} in {a.latency_ms} ms" for a in attempts)
    )
    receiver.stop()
    return ok
