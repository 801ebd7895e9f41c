"""SnapStart's runtime hooks (faceid_bridge/snapstart.py): registered by the wiring every function
imports, and only when Lambda initialises for a snapshot; after a restore, each copy holds no secret
read before the snapshot, no pool opened before it, and randomness of its own. The copies are forked
processes of one initialised process (tests/unit/wiring/snapstart_copies.py), as a snapshot's are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from faceid_bridge import snapstart
from tests.local_stack import ROOT

RUNTIME = ROOT / "tests" / "fixtures" / "lambda_runtime"


@pytest.fixture(scope="module")
def copies() -> list[dict[str, Any]]:
    path = os.pathsep.join([str(RUNTIME), str(ROOT / "shared"), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-m", "tests.unit.wiring.snapstart_copies"],
        env=os.environ | {"PYTHONPATH": path},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_without_snap_start_nothing_is_registered_or_imported() -> None:
    # Given an on-demand initialisation (and none at all: tests, the local stack)
    for environ in ({"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}, {}):
        # When the wiring's registration runs, Then it registers nothing and needs no runtime module
        assert snapstart.register(prime=(), forget=(), environ=environ) is False
    assert "snapshot_restore_py" not in sys.modules


def test_the_wiring_registers_one_hook_each_and_priming_reads_no_secret(copies: list[dict[str, Any]]) -> None:
    # Given the callbacks function imported under snap-start, When the before-snapshot hook ran
    primed = copies[0]
    # Then one hook of each kind is registered; the function made no client at import, the hook
    # made the primed ones, and no secret value was read into the snapshot
    assert primed["hooks"] == [1, 1]
    assert primed["clients_at_import"] == 0
    assert primed["clients_primed"] == len(snapstart.PRIMED_SERVICES)
    assert primed["secret_values_read_before_snapshot"] == 0


def test_after_restore_no_secret_survives_and_a_rotated_pair_is_read(copies: list[dict[str, Any]]) -> None:
    # Given a snapshot holding a secret read (the old key pair), When two copies restore with the hook
    before, restored, control = copies[0]["before"], copies[1:3], copies[3:]
    assert before["cached_secret_values"] >= 1
    for copy in restored:
        # Then the secret cache is empty and the pair rotated meanwhile is the one used
        assert copy["cached_secret_values"] == 0
        assert copy["api_key"] == "new"
    # (without the hook, the snapshot's secret is still cached and the old pair still used)
    assert all(copy["cached_secret_values"] >= 1 and copy["api_key"] == "old" for copy in control)


def test_after_restore_pools_are_new_and_clients_kept(copies: list[dict[str, Any]]) -> None:
    restored, control = copies[1:3], copies[3:]
    for copy in restored:
        # Then the primed client is kept, its pools were emptied, the next request gets a new pool,
        # and the FaceID adapter (a pool manager per region) is built anew
        assert copy["same_dynamodb_client"]
        assert copy["dynamodb_pools"] == 0
        assert copy["new_dynamodb_pool"] and copy["new_faceid_adapter"]
    assert all(copy["dynamodb_pools"] >= 1 and not copy["new_dynamodb_pool"] for copy in control)


def test_after_restore_each_copy_draws_its_own_random_numbers(copies: list[dict[str, Any]]) -> None:
    # Given two copies of one process whose `random` was at one state
    first, second = copies[1:3]
    control_first, control_second = copies[3:]
    # Then the restored copies differ; copies without the hook draw the very same number
    assert first["random"] != second["random"]
    assert control_first["random"] == control_second["random"]


def test_after_restore_no_request_state_is_carried(copies: list[dict[str, Any]]) -> None:
    assert all(copy["correlation_id"] is None for copy in copies[1:3])
    assert all(copy["correlation_id"] == "request-before-snapshot" for copy in copies[3:])
