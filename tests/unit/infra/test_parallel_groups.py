"""How `make test` groups the tests for its parallel workers (tests/parallel.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from tests.parallel import STACK, group, outside_the_stack_group


@dataclass
class Collected:
    nodeid: str
    fixturenames: list[str] = field(default_factory=list)


def items(*collected: Collected) -> list[pytest.Item]:
    return cast(list[pytest.Item], list(collected))


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/e2e/test_lifecycle.py::test_h5_lite_pass", STACK),
        ("tests/e2e/test_chaos.py::test_chaos_bounded", STACK),
        ("tests/browser/test_h5_flow.py::test_flow[zh]", STACK),
        ("tests/unit/domain/test_lifecycle.py::test_a[1-2]", "tests/unit/domain/test_lifecycle.py"),
        ("tests/package/test_second_stack.py::Stack::test_b", "tests/package/test_second_stack.py"),
        ("tests/e2e_like/test_x.py::test_y", "tests/e2e_like/test_x.py"),
    ],
)
def test_the_stack_tests_share_one_group_and_every_other_test_its_module(nodeid: str, expected: str) -> None:
    # Given a collected test's node id
    # When it is grouped for the workers
    # Then it runs with the stack's tests, or with its own module's
    assert group(nodeid) == expected


def test_a_test_asking_for_the_stack_outside_its_folders_is_named() -> None:
    # Given tests that ask for the stack's fixtures, in and out of the stack's folders, and one that does not
    collected = items(
        Collected("tests/e2e/test_webhooks.py::test_a", ["receiver", "client", "endpoints"]),
        Collected("tests/integration/services/test_x.py::test_b", ["endpoints"]),
        Collected("tests/unit/infra/test_y.py::test_c", ["receiver"]),
        Collected("tests/unit/infra/test_z.py::test_d", ["tmp_path"]),
    )
    # When collection checks them
    stray: Any = outside_the_stack_group(collected)
    # Then the two outside tests/e2e and tests/browser are named, and only they
    assert stray == ["tests/integration/services/test_x.py::test_b", "tests/unit/infra/test_y.py::test_c"]
