"""How `make test` spreads the tests over pytest-xdist's workers (`pytest -n auto`).

Each worker runs whole groups. The tests that use the local stack are one group: its parts listen on
fixed ports (the gateway, the sandbox, moto, the webhook receiver), so one process holds one stack
for all of them, as in a serial run. Every other test runs with the rest of its module, so that a
module's fixtures (moto servers, the packaged artifacts' venv under .local/) are made once, in one
place. A group is told by its node id alone (the scheduler sees no fixtures): the stack's tests are
those under STACK_FOLDERS, and collection refuses a test elsewhere that asks for the stack.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from xdist.scheduler import LoadScopeScheduling

STACK_FOLDERS = ("tests/e2e/", "tests/browser/")
STACK_FIXTURES = frozenset({"endpoints", "receiver"})  # tests/conftest.py's and tests/e2e/conftest.py's
STACK = "the local stack"


def group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return STACK if module.startswith(STACK_FOLDERS) else module


def outside_the_stack_group(items: Sequence[pytest.Item]) -> list[str]:
    """The tests that ask for the stack but would not run in its group."""
    return [
        item.nodeid
        for item in items
        if not STACK_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())) and group(item.nodeid) != STACK
    ]


class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist has no type hints
    """xdist's scope scheduling (whole scopes to a worker, the largest first), with a group as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return group(nodeid)
