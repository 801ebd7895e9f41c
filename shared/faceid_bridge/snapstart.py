"""SnapStart (the template's SnapStart parameter): Lambda initialises a function once, when a version
is published, snapshots the environment, and restores every later environment from that one
snapshot. Whatever the process held at the snapshot is then held by every restored copy at once.
These hooks make each copy rebuild what must be its own:

- secrets: Powertools' cache of Secrets Manager values, and the validated FaceID key pairs and hash
  key built from it (wiring's credentials and request_hash_key), so a copy restored after a rotation
  never answers with the old pair and no secret value outlives the snapshot's own life;
- connections: the boto3 clients' urllib3 pools are closed (each opens new sockets on its next call;
  a socket in a snapshot is dead, or worse, shared), and the FaceID adapter, which owns a pool per
  region, is rebuilt;
- randomness: `random`'s state is in process memory, so every copy would draw the same numbers
  (botocore's retry jitter and Powertools' log sampling use it: identical jitter retries in step).
  Ids, claims and signs use `secrets` (os.urandom, read from the kernel at each call, which AWS's
  "Handling uniqueness with Lambda SnapStart" says stays unique across restores): nothing to do;
- request state: the logger's correlation id and keys, metrics not yet flushed, the deadline.

Before the snapshot, the same hook primes what every copy can share, so that a restore does not pay
for it: boto3 and the clients (their service models loaded), Powertools' secrets provider, the store
and the FaceID adapter. No call is made and no secret is read before the snapshot. The clients'
AWS credentials may stay: for SnapStart, Lambda gives the SDK container credentials (an endpoint it
asks again when they expire), not keys in the environment.

`snapshot_restore_py` exists only in Lambda's Python runtime, so it is imported only when Lambda
says it is initialising for a snapshot (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): locally, in
tests and in functions without SnapStart this module registers nothing and imports nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

# The clients the API functions use (boto3 clients are one per service per process: adapters/aws.py).
PRIMED_SERVICES = ("dynamodb", "secretsmanager")


class Cached(Protocol):
    """A functools.cache'd factory of wiring: cleared, it builds anew on its next use."""

    def cache_clear(self) -> None: ...


def register(
    *,
    prime: Sequence[Callable[[], object]],
    forget: Sequence[Cached],
    environ: Mapping[str, str] = os.environ,
) -> bool:
    """Register the hooks with Lambda's runtime when it initialises for a snapshot; whether it did.
    `prime`: factories whose adapters every restored copy may share; `forget`: cached factories
    whose adapters hold secrets or connections of their own."""
    if environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "snap-start":
        return False
    from snapshot_restore_py import register_after_restore, register_before_snapshot

    register_before_snapshot(before_snapshot, prime)
    register_after_restore(after_restore, forget)
    return True


def before_snapshot(prime: Sequence[Callable[[], object]]) -> None:
    from faceid_bridge.adapters import aws
    from faceid_bridge.adapters.credentials import secrets_provider

    for service in PRIMED_SERVICES:
        aws.client(service)
    secrets_provider()
    for build in prime:
        build()


def after_restore(forget: Sequence[Cached]) -> None:
    import random

    from faceid_bridge import deadline
    from faceid_bridge.adapters import aws
    from faceid_bridge.adapters.credentials import secrets_provider
    from faceid_bridge.observability import logger, metrics

    secrets_provider().clear_cache()
    for factory in forget:
        factory.cache_clear()
    # Only the primed clients can exist at a restore: the functions create none at import
    # (tests/unit/wiring/test_snapstart.py checks it).
    for service in PRIMED_SERVICES:
        aws.client(service).close()  # the client stays; its pools are emptied, new ones open on use
    random.seed()  # from os.urandom
    logger.clear_state()
    logger.set_correlation_id(None)
    metrics.clear_metrics()
    deadline.clear()
