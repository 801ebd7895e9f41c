"""Starting the local stack (`python -m infra.local.stack`): it never reuses what already listens on
one of its ports, and a start that fails leaves no process behind (issue 14, item 16)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from infra.local.endpoints import GATEWAY_PORT_VARIABLE, SANDBOX_PORT_VARIABLE, reachable
from infra.local.template import ROOT
from tests.support import free_port


@pytest.fixture
def ports() -> dict[str, int]:
    return {"aws": free_port(), "sandbox": free_port(), "gateway": free_port()}


@pytest.fixture
def occupied() -> Iterator[int]:
    """A port something else (LocalStack, say) already listens on."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield int(server.getsockname()[1])


def start(ports: dict[str, int], **extra: str) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{ports['aws']}",
        SANDBOX_PORT_VARIABLE: str(ports["sandbox"]),
        GATEWAY_PORT_VARIABLE: str(ports["gateway"]),
        "PYTHONPATH": f"{ROOT / 'shared'}{os.pathsep}{ROOT}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "infra.local.stack"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def listening(ports: dict[str, int]) -> list[str]:
    return [part for part, port in ports.items() if reachable(f"http://127.0.0.1:{port}")]


@pytest.mark.parametrize(
    ("part", "setting"),
    [("aws", "AWS_ENDPOINT_URL"), ("sandbox", SANDBOX_PORT_VARIABLE), ("gateway", GATEWAY_PORT_VARIABLE)],
)
def test_an_occupied_port_is_named_with_the_setting_that_moves_it(
    ports: dict[str, int], occupied: int, part: str, setting: str
) -> None:
    # Given something already listens on one of the stack's ports
    ports[part] = occupied
    # When the stack starts
    started = start(ports)
    # Then it refuses at once, naming the port and the setting, and starts nothing
    assert started.returncode == 2, started.stderr
    assert f"port {occupied} " in started.stderr and setting in started.stderr
    assert "Traceback" not in started.stderr
    assert listening({name: port for name, port in ports.items() if name != part}) == []


def test_a_failed_start_leaves_no_process_behind(ports: dict[str, int]) -> None:
    # Given a start that fails after moto and the sandbox came up (a misspelt template parameter)
    started = start(ports, FACEID_BRIDGE_PARAM_NoSuchParameter="1")
    # Then the stack exits with the reason, and neither moto nor the sandbox is left running
    assert started.returncode != 0
    assert "template.yaml has no parameter NoSuchParameter" in started.stderr
    assert listening(ports) == []
