"""Webhooks' pure core: Standard Webhooks signatures, which endpoints may be called (SSRF), the retry
schedule and the subscription's filter and secret rotation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from faceid_bridge.domain.webhook_signature import headers, new_secret, signature
from faceid_bridge.domain.webhooks import (
    ATTEMPT_DELAYS,
    ROTATION_WINDOW,
    Endpoint,
    RefusedEndpoint,
    SigningSecret,
    Subscription,
    address_refusal,
    delay_before,
    endpoint_of,
    refusal_of,
)
from tests.support import ROOT, load_json

VECTOR = load_json(ROOT / "tests" / "fixtures" / "standard_webhooks_vector.json")
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
RECEIVER = frozenset({"127.0.0.1:8030"})


def test_the_signature_is_the_specs_reference_vector() -> None:
    # When the spec's reference message is signed with its secret
    signed = signature(VECTOR["secret"], VECTOR["webhook_id"], VECTOR["webhook_timestamp"], VECTOR["body"])
    # Then it is the spec's signature
    assert signed == VECTOR["signature"]


def test_the_headers_carry_one_signature_per_live_secret_space_separated() -> None:
    # Given two secrets (a rotation window)
    old, new = VECTOR["secret"], new_secret()
    # When a delivery is signed with both
    sent = headers([new, old], "evt-1", 1614265330, VECTOR["body"])
    # Then it names its id and time, and carries each secret's signature, the new one first
    assert sent["webhook-id"] == "evt-1" and sent["webhook-timestamp"] == "1614265330"
    assert sent["webhook-signature"].split(" ") == [
        signature(new, "evt-1", 1614265330, VECTOR["body"]),
        signature(old, "evt-1", 1614265330, VECTOR["body"]),
    ]


def test_a_new_secret_is_whsec_and_256_random_bits() -> None:
    first, second = new_secret(), new_secret()
    assert first.startswith("whsec_") and len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert first != second


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link_local"),  # the instance metadata service
        ("fe80::1%eth0", "link_local"),
        ("100.64.0.1", "not_global"),  # carrier-grade NAT
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("2002:c0a8:101::1", "private"),  # 6to4 of 192.168.1.1
    ],
)
def test_only_public_addresses_are_webhook_targets(address: str, refusal: str | None) -> None:
    assert address_refusal(address) == refusal


@pytest.mark.parametrize(
    ("url", "allowed", "endpoint"),
    [
        ("https://hooks.example.com/in?x=1", frozenset(), Endpoint("https", "hooks.example.com", 443, "/in?x=1")),
        ("https://hooks.example.com:8443", frozenset(), Endpoint("https", "hooks.example.com", 8443, "/")),
        ("http://127.0.0.1:8030/hooks/a", RECEIVER, Endpoint("http", "127.0.0.1", 8030, "/hooks/a")),
    ],
)
def test_an_https_url_or_an_allow_listed_one_is_an_endpoint(
    url: str, allowed: frozenset[str], endpoint: Endpoint
) -> None:
    assert endpoint_of(url, allowed) == endpoint


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/in",  # plain HTTP
        "http://127.0.0.1:8031/hooks/a",  # plain HTTP, not the allow-listed port
        "ftp://hooks.example.com/in",
        "https://user:pass@hooks.example.com/in",  # credentials
        "https:///in",  # no host
        "https://hooks.example.com:99999/in",  # no such port
    ],
)
def test_any_other_url_is_refused(url: str) -> None:
    with pytest.raises(RefusedEndpoint):
        endpoint_of(url, RECEIVER)


def test_every_resolved_address_must_be_public_unless_the_target_is_allow_listed() -> None:
    public = Endpoint("https", "hooks.example.com", 443, "/")
    receiver = Endpoint("http", "127.0.0.1", 8030, "/")
    # A host that also resolves to a private address is refused; one that resolves to nothing too
    assert refusal_of(public, ["93.184.216.34"], RECEIVER) is None
    assert refusal_of(public, ["93.184.216.34", "10.0.0.7"], RECEIVER) == "private"
    assert refusal_of(public, [], RECEIVER) == "unresolved"
    # The allow-listed receiver is admitted although it is loopback
    assert refusal_of(receiver, ["127.0.0.1"], RECEIVER) is None
    assert refusal_of(receiver, ["127.0.0.1"], frozenset()) == "loopback"


def test_the_retry_schedule_spans_at_least_three_days_and_never_shortens() -> None:
    # The first attempt is at once, each wait at least the one before, over 3 days in all
    assert delay_before(1) == 0 and delay_before(2) == 5
    assert list(ATTEMPT_DELAYS) == sorted(ATTEMPT_DELAYS)
    assert timedelta(seconds=sum(ATTEMPT_DELAYS)) >= timedelta(days=3)
    # And after the last attempt, there is none
    assert delay_before(len(ATTEMPT_DELAYS)) == 24 * 3600
    assert delay_before(len(ATTEMPT_DELAYS) + 1) is None and delay_before(0) is None


def subscription(**fields: object) -> Subscription:
    values: dict[str, object] = {
        "subscription_id": "whs_1",
        "url": "https://hooks.example.com/in",
        "channels": [],
        "detail_types": [],
        "created_at": NOW,
        "secrets": [SigningSecret(value=SecretStr("whsec_first"))],
    }
    return Subscription.model_validate(values | fields)


@pytest.mark.parametrize(
    ("filters", "detail_type", "channel", "wanted"),
    [
        ({}, "Verification Approved", "h5_lite", True),
        ({"channels": ["h5_raw"]}, "Verification Approved", "h5_lite", False),
        ({"channels": ["h5_raw"]}, "Verification Approved", "h5_raw", True),
        ({"detail_types": ["Verification Created"]}, "Verification Approved", "app", False),
        ({"detail_types": ["Verification Created"], "channels": ["app"]}, "Verification Created", "app", True),
        ({"enabled": False}, "Verification Approved", "h5_lite", False),
    ],
)
def test_a_subscription_wants_what_its_filter_names(
    filters: dict[str, object], detail_type: str, channel: str, wanted: bool
) -> None:
    assert subscription(**filters).wants(detail_type, channel) is wanted


def test_a_rotated_secret_signs_beside_the_new_one_for_the_window_only() -> None:
    # Given a subscription rotated now, then rotated again
    once = subscription().rotated("whsec_second", NOW)
    twice = once.rotated("whsec_third", NOW + timedelta(hours=1))
    # Then the new and the previous secret sign until the window ends, then the new one alone
    assert once.live_secrets(NOW) == ["whsec_second", "whsec_first"]
    assert once.live_secrets(NOW + ROTATION_WINDOW) == ["whsec_second"]
    # And a second rotation keeps only the secret it replaces
    assert twice.live_secrets(NOW + timedelta(hours=1)) == ["whsec_third", "whsec_second"]
    # And no secret shows in the subscription's text
    assert "whsec_" not in repr(twice) and "whsec_" not in str(twice)
