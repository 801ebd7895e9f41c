"""How `make test` spreads the tests over pytest-xdist's workers (`pytest -n auto`).

Each worker runs whole groups. The tests that use the local stack are one group: its parts listen on
fixed ports (the gateway, the sandbox, moto, tests/e2e's webhook receiver), so one process holds one
stack for all of them, as in a serial run. Every other test runs with the rest of its module, so
that a module's fixtures (moto servers, the packaged artifacts' venv under .local/) are made once,
in one place. The scheduler sees node ids only, so the stack's group is told by folder: a test that
uses the stack belongs under STACK_FOLDERS (elsewhere, another worker would find the stack running
and use it at the same time as the group's tests).
"""

from __future__ import annotations

from xdist.scheduler import LoadScopeScheduling

STACK_FOLDERS = ("tests/e2e/", "tests/browser/")
STACK = "the local stack"


def group(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return STACK if module.startswith(STACK_FOLDERS) else module


class GroupScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist has no type hints
    """xdist's scope scheduling (whole scopes to a worker, the largest first), with a group as the scope."""

    def _split_scope(self, nodeid: str) -> str:
        return group(nodeid)
