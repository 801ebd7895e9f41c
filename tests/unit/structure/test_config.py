"""Each function's configuration: its handler loads its own model as it starts, the template gives
it exactly that model's variables (beside what the libraries read), and a missing one stops the
function at start with its name."""

from __future__ import annotations

import ast
import importlib

import pytest

from faceid_bridge.adapters.faceid_client import FaceIdClient
from faceid_bridge.config import MAX_FACEID_CALLS_AT_ONCE, Config, ReconcileConfig, load
from faceid_bridge.config.verifications import VerificationReadConfig
from faceid_bridge.domain.secret_rotation import Credentials
from infra.local.template import FunctionSpec, Template

# Read by the libraries (Powertools, pydantic), not by our models.
LIBRARY_VARIABLES = {
    "POWERTOOLS_SERVICE_NAME",
    "PYDANTIC_DISABLE_PLUGINS",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_TRACE_DISABLED",
}
FUNCTIONS = Template().functions()


def model_of(function: FunctionSpec) -> type[Config]:
    """The model the function's handler loads at module level, `CONFIG = load(<Model>)`, from the
    module it imports it from (config.py, or its channel's config.py)."""
    module, _, _ = function.handler.rpartition(".")
    tree = ast.parse((function.code_dir / f"{module}.py").read_text())
    (name,) = [
        node.value.args[0].id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "load"
        and isinstance(node.value.args[0], ast.Name)
    ]
    (source,) = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and any(alias.name == name for alias in node.names)
    ]
    model: type[Config] = getattr(importlib.import_module(source), name)
    return model


@pytest.mark.parametrize("function", FUNCTIONS, ids=[f.logical_id for f in FUNCTIONS])
def test_each_function_is_given_exactly_the_variables_its_model_reads(function: FunctionSpec) -> None:
    model = model_of(function)
    read = {field.alias for field in model.model_fields.values()}
    required = {field.alias for field in model.model_fields.values() if field.is_required()}
    given = set(function.environment) - LIBRARY_VARIABLES
    # Nothing it does not read, and everything it cannot do without
    assert given <= read, given - read
    assert required <= given, required - given


def test_functions_do_not_share_one_model_of_everything() -> None:
    # The publisher reads no FaceID or table variable; the read function no FaceID one
    models = {function.logical_id: model_of(function) for function in FUNCTIONS}
    assert "TABLE_NAME" not in {f.alias for f in models["PublisherFunction"].model_fields.values()}
    assert not any("FACEID" in str(f.alias) for f in models["GetVerificationFunction"].model_fields.values())


def test_a_missing_variable_stops_the_function_at_start_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function started without its table's name
    monkeypatch.delenv("TABLE_NAME", raising=False)
    load.cache_clear()
    # When its model is loaded, Then the error names the variable
    with pytest.raises(RuntimeError, match=r"^VerificationReadConfig is not configured: TABLE_NAME: Field required"):
        load(VerificationReadConfig)
    load.cache_clear()


def test_the_reconcilers_concurrency_is_bounded_alike_in_the_template_the_model_and_the_faceid_pool() -> None:
    # Given the template's parameter, the model's field and the FaceID client's connection pool
    parameter = Template().parameters["ReconcilerConcurrency"]
    field = ReconcileConfig.model_fields["reconcile_concurrency"]
    bounds = {type(rule).__name__: rule for rule in field.metadata}
    pool = FaceIdClient("https://faceid.test", lambda: Credentials(api_key="k", api_secret="s"))._http
    # Then they agree: the same default and bounds, and a connection kept for each call at once
    assert (parameter["Default"], parameter["MinValue"], parameter["MaxValue"]) == (
        field.default,
        bounds["Ge"].ge,
        bounds["Le"].le,
    )
    assert bounds["Le"].le == MAX_FACEID_CALLS_AT_ONCE == pool.connection_pool_kw["maxsize"]
