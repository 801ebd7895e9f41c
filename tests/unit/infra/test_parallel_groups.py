"""How `make test` groups the tests for its parallel workers (tests/parallel.py)."""

from __future__ import annotations

import pytest

from tests.parallel import STACK, group, sees_the_stacks_endpoint


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


STACK_URL = "http://127.0.0.1:4566"


@pytest.mark.parametrize(
    ("nodeid", "stack_url", "endpoint", "unset"),
    [
        # A test of another module, after the stack's tests pointed the worker at their moto server
        ("tests/integration/infra/test_moto_fast.py::test_a", STACK_URL, STACK_URL, True),
        # The stack's own tests keep it
        ("tests/e2e/test_redrive.py::test_a", STACK_URL, STACK_URL, False),
        # A moto server a module's own fixture set (tests/package) stays
        ("tests/package/test_cloudformation.py::test_a", STACK_URL, "http://127.0.0.1:40123", False),
        # No stack in this worker, or no endpoint set: nothing to unset
        ("tests/integration/infra/test_moto_fast.py::test_a", None, "http://127.0.0.1:40123", False),
        ("tests/integration/infra/test_moto_fast.py::test_a", STACK_URL, None, False),
    ],
)
def test_only_the_stacks_endpoint_is_taken_from_tests_outside_its_group(
    nodeid: str, stack_url: str | None, endpoint: str | None, unset: bool
) -> None:
    # Given a test, the stack's moto server's URL (if its session ran here) and AWS_ENDPOINT_URL
    # When the test starts
    # Then the endpoint is unset only when it is the stack's and the test is not the stack's
    assert sees_the_stacks_endpoint(nodeid, stack_url, endpoint) is unset
