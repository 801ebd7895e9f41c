"""What template.yaml promises that no other test sees: the notify route's own throttle (issue 8,
item 11), the retention parameters (item 6), and the deploy docs and config that describe it."""

from __future__ import annotations

import shlex
import tomllib
from typing import Any

from infra.local.template import ROOT, Template


def _at_defaults(template: Template, settings: dict[str, Any]) -> dict[str, Any]:
    """Route settings with each parameter reference replaced by that parameter's default."""
    defaults = template.parameter_defaults()
    return {key: int(defaults[value["Ref"]]) if isinstance(value, dict) else value for key, value in settings.items()}


def test_faceids_callback_routes_have_their_own_throttle() -> None:
    # Given the API's routes and its route settings, at the parameters' defaults
    template = Template()
    api = template.resources["HttpApi"]["Properties"]
    routes = {f"{route.method} {route.path}" for spec in template.functions() for route in spec.routes}
    settings = {route: _at_defaults(template, values) for route, values in api["RouteSettings"].items()}
    # Then notify has a bucket of its own, on a route that exists, with no less than the return routes
    notify = settings["POST /v1/faceid/notify"]
    assert set(settings) <= routes
    assert notify["ThrottlingRateLimit"] >= 1 and notify["ThrottlingBurstLimit"] >= notify["ThrottlingRateLimit"]
    assert all(
        notify["ThrottlingRateLimit"] >= settings[key]["ThrottlingRateLimit"]
        for key in settings
        if key.startswith(("GET /v1/faceid/", "POST /v1/faceid/return"))
    )


def test_every_throttle_and_the_publishers_stream_settings_are_parameters_with_todays_defaults() -> None:
    # Given the HTTP API's default and per-route settings and the publisher's stream mapping
    template = Template()
    api = template.resources["HttpApi"]["Properties"]
    stream = template.resources["PublisherFunction"]["Properties"]["Events"]["Stream"]["Properties"]
    expected = {
        "$default": ("ApiThrottleRate", 100, "ApiThrottleBurst", 200),
        "POST /v1/faceid/notify": ("NotifyThrottleRate", 50, "NotifyThrottleBurst", 100),
        "GET /v1/faceid/return": ("BrowserReturnThrottleRate", 25, "BrowserReturnThrottleBurst", 50),
        "POST /v1/faceid/return": ("BrowserReturnThrottleRate", 25, "BrowserReturnThrottleBurst", 50),
        "GET /v1/faceid/result": ("BrowserReturnThrottleRate", 25, "BrowserReturnThrottleBurst", 50),
    }
    settings = {"$default": api["DefaultRouteSettings"], **api["RouteSettings"]}
    # Then each rate and burst is a Number parameter whose default is the value it had before
    assert set(settings) == set(expected)
    for route, (rate, rate_default, burst, burst_default) in expected.items():
        assert settings[route]["ThrottlingRateLimit"] == {"Ref": rate}
        assert settings[route]["ThrottlingBurstLimit"] == {"Ref": burst}
        assert template.parameters[rate]["Type"] == template.parameters[burst]["Type"] == "Number"
        assert (template.parameters[rate]["Default"], template.parameters[burst]["Default"]) == (
            rate_default,
            burst_default,
        )
    # And the publisher's batch size and parallelization factor too, within Lambda's documented bounds
    assert stream["BatchSize"] == {"Ref": "PublisherBatchSize"}
    assert stream["ParallelizationFactor"] == {"Ref": "PublisherParallelizationFactor"}
    batch, parallel = template.parameters["PublisherBatchSize"], template.parameters["PublisherParallelizationFactor"]
    assert (batch["Default"], batch["MinValue"], batch["MaxValue"]) == (10, 1, 10000)
    assert (parallel["Default"], parallel["MinValue"], parallel["MaxValue"]) == (1, 1, 10)


def test_retention_reaches_every_function_that_writes_and_outlives_get_results_day() -> None:
    template = Template()
    assert int(template.parameters["VerificationRetentionDays"]["MinValue"]) >= 2
    for spec in template.functions():
        if "TABLE_NAME" in spec.environment:  # every function of the table (not the publisher)
            assert {"VERIFICATION_RETENTION_DAYS", "AUDIT_RETENTION_DAYS", "KEEP_IDCARD_INFO"} <= set(spec.environment)
        if any(route.method == "POST" and route.path.endswith("verifications") for route in spec.routes):
            assert "REQUEST_HASH_KEY_SECRET_ID" in spec.environment  # every create route fingerprints requests


def test_the_deploy_docs_and_config_name_every_parameter_and_output_and_only_those() -> None:
    # Given the template, README's "Deploying" section and infra/samconfig.toml
    template = Template()
    deploying = (ROOT / "README.md").read_text().split("## Deploying", 1)[1].split("\n## ", 1)[0]
    config = tomllib.loads((ROOT / "infra" / "samconfig.toml").read_text())["default"]["deploy"]["parameters"]
    overrides = {pair.split("=", 1)[0] for pair in shlex.split(config["parameter_overrides"])}
    # Then every parameter has a row, every output is named, and samconfig overrides real parameters
    assert all(f"| `{name}` |" in deploying for name in template.parameters)
    assert all(f"`{name}`" in deploying for name in template.document["Outputs"])
    assert overrides <= set(template.parameters)
