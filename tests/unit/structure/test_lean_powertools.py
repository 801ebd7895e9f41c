"""The Powertools shim (faceid_bridge.lean_powertools, docs/decisions.md §14): pinned to the Powertools
it was checked against, serving each name as the real package `__init__` would, and keeping what the
handlers do not use off their cold start. Each check runs in a fresh interpreter: which modules a
cold start loads is the point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from faceid_bridge import lean_powertools
from infra.local.template import Template, template_environment
from tests.support import ROOT

HANDLERS = sorted(path.parent.name for path in (ROOT / "functions").glob("*/handler.py"))
# What the real package __init__s load and no handler needs.
NOT_LOADED = (
    "asyncio",
    "aws_lambda_powertools.event_handler.appsync",
    "aws_lambda_powertools.event_handler.bedrock_agent",
    "aws_lambda_powertools.utilities.data_classes.sqs_event",
    "email.parser",
)
# What a handler needs of them: the webhook delivery reads SQS records with Powertools' batch
# utility, whose module imports asyncio (for its async processor) at the top.
USED = {"webhook_delivery": {"asyncio", "aws_lambda_powertools.utilities.data_classes.sqs_event"}}


def fresh(code: str, *, path: list[str] | None = None, environment: dict[str, str] | None = None) -> object:
    """The JSON the code prints, run in a new interpreter with our shared code on its path."""
    prelude = f"import json, sys; sys.path[:0] = {[*(path or []), str(ROOT / 'shared')]!r}\n"
    run = subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env=os.environ | (environment or {}),
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_the_pinned_powertools_is_the_one_installed_and_required() -> None:
    # Given the version the shim was checked against, Then it is the one installed and the one required
    from aws_lambda_powertools.shared.version import VERSION

    required = re.search(r"aws-lambda-powertools==(\S+)", (ROOT / "shared" / "requirements.txt").read_text())
    assert required is not None
    assert lean_powertools.POWERTOOLS_VERSION == VERSION == required.group(1)


def test_each_served_name_is_the_one_the_real_init_gives() -> None:
    # Given each package with its real __init__ (no faceid_bridge imported), and with the shim
    def named(shim: bool) -> object:
        code = "import faceid_bridge\n" if shim else ""
        code += (
            "import importlib\n"
            f"served = {lean_powertools.SERVED!r}\n"
            "where = lambda o: [o.__module__, o.__qualname__]\n"
            "print(json.dumps({p: {n: where(getattr(importlib.import_module(p), n)) for n in names}"
            " for p, names in served.items()}))"
        )
        return fresh(code)

    real, served = named(shim=False), named(shim=True)
    # Then every name is the same class, from the module the table names
    assert served == real
    for package, names in lean_powertools.SERVED.items():
        assert {name: f"{package}.{module}" for name, module in names.items()} == {
            name: where[0]
            for name, where in real[package].items()  # type: ignore[index]
        }


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_handlers_cold_start_loads_nothing_it_does_not_use(handler: str) -> None:
    # When a handler is imported as Lambda imports it, with its environment as the template gives it
    template = Template()
    spec = next(spec for spec in template.functions() if spec.code_dir.name == handler)
    loaded = fresh(
        f"import handler\nprint(json.dumps([m for m in {list(NOT_LOADED)!r} if m in sys.modules]))",
        path=[str(ROOT / "functions" / handler)],
        environment=template_environment(spec, template) | {"AWS_DEFAULT_REGION": "us-east-1"},
    )
    # Then AppSync, asyncio, the other event classes and email's parser stay unloaded
    assert loaded == sorted(USED.get(handler, set()))


def test_any_other_name_runs_the_real_init() -> None:
    # Given the shim installed, When a name it does not serve is imported from each package
    loaded = fresh(
        "import faceid_bridge\n"
        "from aws_lambda_powertools.event_handler import AppSyncResolver, content_types\n"
        "from aws_lambda_powertools.utilities.data_classes import SQSEvent\n"
        "print(json.dumps([AppSyncResolver.__module__, SQSEvent.__module__, content_types.__name__,"
        " 'asyncio' in sys.modules]))"
    )
    # Then it is there, as without the shim
    assert loaded == [
        "aws_lambda_powertools.event_handler.appsync",
        "aws_lambda_powertools.utilities.data_classes.sqs_event",
        "aws_lambda_powertools.event_handler.content_types",
        True,
    ]


def test_another_powertools_version_is_left_alone() -> None:
    # Given a Powertools of another version, When faceid_bridge is imported
    loaded = fresh(
        "import aws_lambda_powertools.shared.version as version\n"
        "version.VERSION = '0.0.0'\n"
        "import faceid_bridge\n"
        "import aws_lambda_powertools.event_handler as handler\n"
        "print(json.dumps(['AppSyncResolver' in vars(handler), 'asyncio' in sys.modules]))"
    )
    # Then the real package __init__ ran, as without the shim
    assert loaded == [True, True]


def test_the_secrets_provider_comes_without_the_other_parameter_providers() -> None:
    # Given the shim installed, When our secrets provider is created as a FaceID call first needs it
    loaded = fresh(
        "import faceid_bridge\n"
        "from faceid_bridge.adapters.credentials import secrets_provider\n"
        "provider = secrets_provider()\n"
        "print(json.dumps([type(provider).__module__, sorted(m for m in sys.modules"
        " if m.startswith('aws_lambda_powertools.utilities.parameters.'))]))",
        environment={"AWS_DEFAULT_REGION": "us-east-1"},
    )
    # Then it is Powertools' SecretsProvider, and AppConfig's, DynamoDB's and SSM's stay unloaded
    assert loaded == [
        "aws_lambda_powertools.utilities.parameters.secrets",
        [
            "aws_lambda_powertools.utilities.parameters.base",
            "aws_lambda_powertools.utilities.parameters.constants",
            "aws_lambda_powertools.utilities.parameters.exceptions",
            "aws_lambda_powertools.utilities.parameters.secrets",
        ],
    ]
