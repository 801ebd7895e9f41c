"""How `make test` groups the tests for its parallel workers (tests/parallel.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import pytest

from tests.parallel import STACK, group, uses_the_stack_outside_its_group


@dataclass
class Collected:
    nodeid: str
    fixturenames: list[str] = field(default_factory=list)


def item(nodeid: str, *fixtures: str) -> pytest.Item:
    return cast(pytest.Item, Collected(nodeid, list(fixtures)))


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


@pytest.mark.parametrize(
    ("collected", "refused"),
    [
        (item("tests/e2e/test_webhooks.py::test_a", "receiver", "client", "endpoints"), False),
        (item("tests/browser/test_h5_flow.py::test_b", "client", "endpoints"), False),
        (item("tests/integration/services/test_x.py::test_c", "client", "endpoints"), True),
        (item("tests/integration/services/test_webhooks.py::test_d", "receiver", "store"), False),
        (item("tests/unit/infra/test_z.py::test_e", "tmp_path"), False),
    ],
)
def test_only_a_test_asking_for_the_stack_outside_its_folders_is_refused(collected: pytest.Item, refused: bool) -> None:
    # Given a test, the fixtures it asks for, and its folder
    # When its setup checks where it runs
    # Then it is refused when it would start a stack of its own, and only then
    assert uses_the_stack_outside_its_group(collected) is refused
