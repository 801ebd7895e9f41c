"""docs/capacity.md sizes the listing index and the webhook path too: ByChannelDay's busiest shard
(all traffic on one channel, docs/decisions.md §16) and the webhook queues (§19), each row computed
from the code's and the template's settings, like the other limits."""

from __future__ import annotations

import math

from faceid_bridge.adapters.dynamodb.codec import LIST_SHARDS
from infra.capacity import BURST, DOC, ENDPOINT_SECONDS, QUOTAS, SUSTAINED, Inputs, Limit, sections
from infra.local.template import Template

INPUTS = Inputs.load()


def rows(heading: str) -> dict[str, Limit]:
    (found,) = [limits for title, _, limits in sections(INPUTS) if title == heading]
    return {row.name: row for row in found}


def test_the_listing_index_is_sized_per_shard_of_one_channels_day() -> None:
    # Given the verification item's writes (the stream records of `make scale`), each written to the
    # index too (projection ALL) at 2 units, spread over LIST_SHARDS shards of one channel's day
    row = rows("DynamoDB")["ByChannelDay, per shard (one channel)"]
    writes = INPUTS.records_per_verification() * 2 / LIST_SHARDS
    # Then the row's load is that at both rates, against a partition's 1,000 units/s
    assert row.need == (SUSTAINED * writes, BURST * writes)
    assert row.have == QUOTAS["dynamodb_partition_writes"].value
    # And what raises it is LIST_SHARDS, to the power of two that carries the burst
    shards = 2 ** math.ceil(math.log2(BURST * INPUTS.records_per_verification() * 2 / row.have))
    assert f"`LIST_SHARDS` = {shards}" in row.raises and shards > LIST_SHARDS


def test_the_webhook_queues_have_their_rows_at_both_rates() -> None:
    webhooks = rows("Webhook queues and deliveries")
    template = Template().resources
    for queue in ("WebhookEventsQueue", "WebhookDeliveriesQueue", "WebhookDLQ"):
        assert queue in template
        limits = [row for name, row in webhooks.items() if name.startswith(queue)]
        assert limits, queue
        for row in limits:
            assert all(need is not None and need > 0 for need in row.need), row
            assert row.raises, row
    # Each delivery is an invocation of its own: at 1,000/s one subscription taking every event
    # needs 2,000 deliveries a second
    at_a_thousand = webhooks[f"WebhookDeliveriesQueue, deliveries at once, endpoint at {ENDPOINT_SECONDS} s"].need[0]
    assert at_a_thousand is not None and at_a_thousand >= SUSTAINED * 2 * ENDPOINT_SECONDS


def test_the_page_shows_the_new_rows() -> None:
    document = DOC.read_text()
    assert "| ByChannelDay, per shard" in document
    assert "### Webhook queues and deliveries" in document and "| WebhookDLQ" in document
