"""A moto server and a FaceID sandbox of this package's own, on free ports, with this process's
boto3 pointed at the moto server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra import package
from infra.local.endpoints import wait_for
from infra.local.template import ROOT
from tests.support import free_port


def serve(module: str, *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", module, *args, str(port)], cwd=ROOT, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(url)
    return url, server


@pytest.fixture(scope="module")
def aws_environment() -> Iterator[dict[str, str]]:
    """What a process needs to reach the moto server (set on this one too)."""
    url, server = serve("infra.local.moto_server", "-p")
    environment = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_ENDPOINT_URL": url}
    environment |= {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        yield environment
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    url, server = serve("infra.sandbox", "--port")
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def build() -> Path:
    """`make package`'s build, checked, and current with its sources (else the tests would test old code)."""
    if not (package.BUILD_DIR / "template.yaml").is_file():
        pytest.fail("no build in .aws-sam/build: run `make package`")
    assert package.fresh(), "the build is older than its sources: run `make package`"
    assert not package.check(), package.check()
    return package.BUILD_DIR
