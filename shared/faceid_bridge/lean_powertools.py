"""Powertools' event handler without its package `__init__`s (docs/decisions.md §14).

`aws_lambda_powertools.event_handler/__init__` imports every resolver Powertools has (AppSync and its
asyncio, Bedrock, VPC Lattice...), `utilities/data_classes/__init__` every event class and
`utilities/parameters/__init__` every parameter provider, and a
package's `__init__` runs before any of its modules: importing `event_handler.api_gateway` alone
pays for all of them, about 0.09 of the 1.45 cold-init ratio. `install()` puts a stand-in for each
of these packages in `sys.modules`: the real package (its path, so its modules import as
always) with a lazy `__init__` (PEP 562) that serves the few names we and `api_gateway` import from
their own modules, and runs the real `__init__` for any other name. Nothing changes but what is
loaded, and when.

It relies on the names below living where they live in Powertools 3.37.0: with any other version,
`install()` leaves Powertools alone, and tests/unit/structure/test_lean_powertools.py fails until the table is
checked again. docs/upstream/powertools-lazy-init.md proposes the lazy `__init__` upstream.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

POWERTOOLS_VERSION = "3.37.0"

# Package -> {name its __init__ exports: the module of the package that defines it}: the names our
# code and Powertools' api_gateway module import from these packages.
SERVED: dict[str, dict[str, str]] = {
    "aws_lambda_powertools.event_handler": {
        "APIGatewayHttpResolver": "api_gateway",
        "Response": "api_gateway",
    },
    "aws_lambda_powertools.utilities.data_classes": {
        "ALBEvent": "alb_event",
        "APIGatewayProxyEvent": "api_gateway_proxy_event",
        "APIGatewayProxyEventV2": "api_gateway_proxy_event",
        "BedrockAgentEvent": "bedrock_agent_event",
        "LambdaFunctionUrlEvent": "lambda_function_url_event",
        "S3Event": "s3_event",  # (sqs_event imports it: the webhook delivery reads SQS records)
        "VPCLatticeEvent": "vpc_lattice",
        "VPCLatticeEventV2": "vpc_lattice",
    },
    # Its __init__ imports every provider (AppConfig, DynamoDB, SSM): we read Secrets Manager only.
    "aws_lambda_powertools.utilities.parameters": {
        "SecretsProvider": "secrets",
    },
}


def install() -> None:
    """Before anything imports these packages (faceid_bridge/__init__ calls it). Does nothing with
    another Powertools version, or once a package is imported."""
    from aws_lambda_powertools.shared.version import VERSION

    if VERSION != POWERTOOLS_VERSION:
        return
    for package, names in SERVED.items():
        if package not in sys.modules:
            sys.modules[package] = _lazy_package(package, names)


def _lazy_package(package: str, names: dict[str, str]) -> ModuleType:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.loader is not None  # the version matched: both packages exist
    module = importlib.util.module_from_spec(spec)  # __path__ set, its __init__ not run
    loader = spec.loader
    real_init_ran = False

    def __getattr__(name: str) -> Any:
        nonlocal real_init_ran
        if name in names:
            value = getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        elif importlib.util.find_spec(f"{package}.{name}") is not None:  # `from package import module`
            value = importlib.import_module(f"{package}.{name}")
        elif not real_init_ran and not (name.startswith("__") and name != "__all__"):
            real_init_ran = True  # any other name: the real __init__, as without the stand-in
            loader.exec_module(module)
            return getattr(module, name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(module, name, value)
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    return module
