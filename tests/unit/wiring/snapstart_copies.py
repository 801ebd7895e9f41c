"""`python -m tests.unit.wiring.snapstart_copies`: plays Lambda's runtime for a SnapStart function, in a
process of its own (tests/unit/wiring/test_snapstart.py runs it). With AWS_LAMBDA_INITIALIZATION_TYPE
snap-start and the runtime's `snapshot_restore_py` (the stand-in in tests/fixtures/lambda_runtime)
on the path, it imports the callbacks function, runs the before-snapshot hooks, then gives the
process the state a snapshot must not hand on (a secret read, pools opened, `random` at one seed)
and forks four "restored" copies of it: two run the after-restore hooks, two do not (the control
that shows the test can fail). Each copy prints one JSON line of what it holds; the parent prints
what it saw before the fork first."""

from __future__ import annotations

import importlib
import json
import os
import random
from typing import Any

import boto3
from moto import mock_aws

FACEID_SECRET_ID = "faceid-secret"
HASH_KEY_ID = "hash-key"


def pair(key: str) -> dict[str, dict[str, str]]:
    return {region: {"api_key": key, "api_secret": f"{key}-secret"} for region in ("idn", "sgp")}


def pool_of(client: Any) -> Any:
    """The boto3 client's pool for its endpoint (botocore keeps it in a urllib3 PoolManager)."""
    manager = client._endpoint.http_session._manager
    return manager.connection_from_url(client.meta.endpoint_url)


def restored_copy(run_hooks: bool, before: dict[str, Any], random_state: Any) -> dict[str, Any]:
    import snapshot_restore_py

    from faceid_bridge import wiring
    from faceid_bridge.adapters import aws
    from faceid_bridge.adapters.credentials import secrets_provider
    from faceid_bridge.faceid.regions import Region
    from faceid_bridge.observability import logger

    # A forked child reseeds `random` itself (os.register_at_fork); a restored snapshot does not, so
    # the copy is given back the state the snapshot holds.
    random.setstate(random_state)
    if run_hooks:
        for func, args, kwargs in snapshot_restore_py.get_after_restore():
            func(*args, **kwargs)
    cached_secrets = len(secrets_provider().store)
    dynamodb = aws.client("dynamodb")
    # The key pair rotated while the snapshot was cached: a copy reads the secret anew, or not.
    boto3.client("secretsmanager").put_secret_value(SecretId=FACEID_SECRET_ID, SecretString=json.dumps(pair("new")))
    return {
        "hooks": run_hooks,
        "cached_secret_values": cached_secrets,
        "api_key": wiring.credentials().pair(Region.IDN).api_key,
        "same_dynamodb_client": id(dynamodb) == before["dynamodb_client"],
        "dynamodb_pools": len(dynamodb._endpoint.http_session._manager.pools),
        "new_dynamodb_pool": id(pool_of(dynamodb)) != before["dynamodb_pool"],
        "new_faceid_adapter": id(wiring.faceid()) != before["faceid_adapter"],
        "correlation_id": logger.get_correlation_id(),
        "random": random.random(),
    }


def main() -> None:
    os.environ.update(
        {
            "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "TABLE_NAME": "verifications",
            "FACEID_SECRET_ID": FACEID_SECRET_ID,
            "REQUEST_HASH_KEY_SECRET_ID": HASH_KEY_ID,
            "POWERTOOLS_METRICS_NAMESPACE": "FaceIdBridge",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name=FACEID_SECRET_ID, SecretString=json.dumps(pair("old")))
        secrets.create_secret(Name=HASH_KEY_ID, SecretString="k" * 64)

        # Init: Lambda imports the handler; the wiring registers the hooks.
        importlib.import_module("functions.h5_lite_callbacks.handler")
        import snapshot_restore_py

        from faceid_bridge import wiring
        from faceid_bridge.adapters import aws
        from faceid_bridge.adapters.credentials import secrets_provider
        from faceid_bridge.faceid.regions import Region
        from faceid_bridge.observability import logger

        clients_at_import = aws.client.cache_info().currsize
        for func, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
            func(*args, **kwargs)
        primed = {
            "clients_at_import": clients_at_import,
            "clients_primed": aws.client.cache_info().currsize,
            "secret_values_read_before_snapshot": len(secrets_provider().store),
            "hooks": [len(snapshot_restore_py.get_before_snapshot()), len(snapshot_restore_py.get_after_restore())],
        }

        # What a snapshot must not hand on: a secret read, pools open, a correlation id, one seed.
        wiring.credentials().pair(Region.IDN)
        wiring.request_hash_key()()
        dynamodb = aws.client("dynamodb")
        faceid = wiring.faceid()
        faceid.endpoint("h5_lite")  # builds the region's client and its pool manager
        logger.set_correlation_id("request-before-snapshot")
        random.seed(1234)
        snapshot_random = random.getstate()
        before = {
            "dynamodb_client": id(dynamodb),
            "dynamodb_pool": id(pool_of(dynamodb)),
            "faceid_adapter": id(faceid),
            "cached_secret_values": len(secrets_provider().store),
        }
        print(json.dumps(primed | {"before": before}), flush=True)
        for run_hooks in (True, True, False, False):
            child = os.fork()
            if child == 0:
                try:
                    print(json.dumps(restored_copy(run_hooks, before, snapshot_random)), flush=True)
                finally:
                    os._exit(0)
            os.waitpid(child, 0)


if __name__ == "__main__":
    main()
