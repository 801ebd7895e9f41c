"""What template.yaml promises that no other test sees: the notify route's own throttle (issue 8,
item 11), the retention parameters (item 6), and the deploy docs and config that describe it."""

from __future__ import annotations

import shlex
import tomllib

from infra.local.template import ROOT, Template


def test_faceids_callback_routes_have_their_own_throttle() -> None:
    # Given the API's routes and its route settings
    template = Template()
    api = template.resources["HttpApi"]["Properties"]
    routes = {f"{route.method} {route.path}" for spec in template.functions() for route in spec.routes}
    settings = api["RouteSettings"]
    # Then notify has a bucket of its own, on a route that exists, with no less than the return routes
    notify = settings["POST /v1/faceid/notify"]
    assert set(settings) <= routes
    assert notify["ThrottlingRateLimit"] >= 1 and notify["ThrottlingBurstLimit"] >= notify["ThrottlingRateLimit"]
    assert all(
        notify["ThrottlingRateLimit"] >= settings[key]["ThrottlingRateLimit"]
        for key in settings
        if key.startswith(("GET /v1/faceid/", "POST /v1/faceid/return"))
    )


def test_retention_reaches_every_function_that_writes_and_outlives_get_results_day() -> None:
    template = Template()
    assert int(template.parameters["VerificationRetentionDays"]["MinValue"]) >= 2
    for spec in template.functions():
        if "TABLE_NAME" in spec.environment:  # every function of the table (not the publisher)
            assert {"VERIFICATION_RETENTION_DAYS", "AUDIT_RETENTION_DAYS", "KEEP_IDCARD_INFO"} <= set(spec.environment)
        if spec.routes and any(route.method == "POST" and not route.public for route in spec.routes):
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
