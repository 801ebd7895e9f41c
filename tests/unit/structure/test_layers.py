"""The layer rules of docs/architecture.md, checked on every import of the layer and the handlers,
lazy ones and those only for type checking included: a layer imports only what its rule allows."""

from __future__ import annotations

import pytest

from infra.local.template import ROOT
from tests.unit.structure.test_structure import graph, imports, modules

# A channel package's modules, by their name, and the layer each belongs to.
CHANNEL_MODULES = {
    "contract": "contract",
    "paths": "contract",
    "evaluator": "domain",
    "creation": "services",
    "callbacks": "services",
    "verify": "services",
    "settle": "services",
    "api": "api",
    "openapi": "api",
    "channel": "registry",
    "config": "config",
}
TOP = {
    "faceid_bridge.ports": "ports",
    "faceid_bridge.errors": "errors",
    "faceid_bridge.observability": "observability",
    "faceid_bridge.metric_names": "observability",
    "faceid_bridge.tracing": "observability",
    "faceid_bridge.request_line": "observability",
    "faceid_bridge.bounded_json": "utilities",
    "faceid_bridge.deadline": "utilities",
    "faceid_bridge.forms": "utilities",
    "faceid_bridge.api": "api",
    "faceid_bridge.api_models": "api",
    "faceid_bridge.api_input": "api",
    "faceid_bridge.api_listing": "api",
    "faceid_bridge.result_page": "api",
    "faceid_bridge.wiring": "wiring",
    "faceid_bridge.snapstart": "wiring",
    "faceid_bridge.webhook_wiring": "wiring",
    "faceid_bridge.webhooks_api": "api",
    "faceid_bridge.channels": "registry",
    "faceid_bridge.channels.spec": "registry",
    "faceid_bridge": "package",
    "faceid_bridge.lean_powertools": "package",  # run by the package's __init__, before anything else
}
PREFIXES = {
    "faceid_bridge.config": "config",
    "faceid_bridge.domain": "domain",
    "faceid_bridge.faceid": "contract",
    "faceid_bridge.services": "services",
    "faceid_bridge.adapters": "adapters",
    "faceid_bridge_client": "client",
    "functions": "handlers",
}
BASE = {"errors", "config", "observability", "utilities", "package"}
# What each layer may import (besides itself). Anything else is a violation.
ALLOWED = {
    "contract": {"package"},
    "domain": {"contract", "package"},
    "ports": {"domain", "contract", "package"},
    "utilities": {"package"},
    "errors": {"package"},
    "observability": {"package"},
    "config": {"contract", "package"},
    "services": {"domain", "contract", "ports", "registry"} | BASE,
    "registry": {"services", "domain", "contract", "ports"} | BASE,
    "adapters": {"domain", "contract", "ports"} | BASE,
    "api": {"domain", "contract"} | BASE,
    "wiring": {"adapters", "ports", "domain", "contract"} | BASE,
    "client": {"api", "domain", "contract"} | BASE,
    "handlers": {"api", "services", "wiring", "domain", "contract", "registry"} | BASE,
}


def layer_of(module: str) -> str | None:
    """The layer of one of the layer's or the handlers' modules (None: not under these rules)."""
    parts = module.split(".")
    if module.startswith("faceid_bridge.channels.") and len(parts) == 4:
        return CHANNEL_MODULES.get(parts[3], "unclassified")
    if module.startswith("faceid_bridge.channels.") and len(parts) == 3:
        return "registry"  # a channel package's own __init__
    if module in TOP:
        return TOP[module]
    for prefix, layer in PREFIXES.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return "unclassified" if module.startswith("faceid_bridge") else None


def violations(edges: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(edges.items()):
        layer = layer_of(module)
        if layer is None:
            continue
        for target in sorted(targets):
            target_layer = layer_of(target)
            if target_layer is None or target_layer == layer:
                continue
            if target_layer not in ALLOWED[layer]:
                found.append(f"{module} ({layer}) imports {target} ({target_layer})")
    return found


def test_every_module_of_the_layer_has_a_layer() -> None:
    unclassified = [name for name in modules() if layer_of(name) == "unclassified"]
    assert unclassified == []


def test_no_import_breaks_a_layer_rule() -> None:
    assert violations(graph()) == []


# The five found by the review that asked for these rules, and how each would read today.
REVIEWED = [
    ("faceid_bridge.channels.h5_lite.creation", "faceid_bridge.channels.h5_lite.api"),  # services -> HTTP models
    ("faceid_bridge.services.publisher", "faceid_bridge.adapters.dynamodb.codec"),  # services -> adapters
    ("faceid_bridge.ports", "faceid_bridge.adapters.dynamodb.claims"),  # ports -> adapters
    ("faceid_bridge.adapters.dynamodb.claims", "faceid_bridge.api"),  # adapters -> the HTTP layer
    ("faceid_bridge.domain.decision", "faceid_bridge.services.transitions"),  # domain -> services
]


@pytest.mark.parametrize(("module", "target"), REVIEWED)
def test_each_reviewed_violation_would_be_caught(module: str, target: str) -> None:
    assert violations({module: {target}}) != []


def test_a_wrong_import_in_a_module_fails_the_rules() -> None:
    # Given a domain module that imports an adapter lazily, inside a function
    module = ROOT / "tests" / "fixtures" / "layers" / "domain_imports_an_adapter.py"
    known = modules() | {"faceid_bridge.domain.wrong": module}
    # When its imports are read as the rule test reads every module's
    edges = {"faceid_bridge.domain.wrong": set(imports(module, known))}
    # Then the rules refuse it
    assert violations(edges) == [
        "faceid_bridge.domain.wrong (domain) imports faceid_bridge.adapters.dynamodb (adapters)",
        "faceid_bridge.domain.wrong (domain) imports faceid_bridge.adapters.dynamodb.codec (adapters)",
    ]
