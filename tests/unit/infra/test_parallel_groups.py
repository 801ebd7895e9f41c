"""How `make test` groups the tests for its parallel workers (tests/parallel.py)."""

from __future__ import annotations

import pytest

from tests.parallel import STACK, group


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
