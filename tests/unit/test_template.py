"""What template.yaml promises that no other test sees: the notify route's own throttle (issue 8,
item 11) and the retention parameters (item 6)."""

from __future__ import annotations

from infra.local.template import Template


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


def test_retention_reaches_every_function_and_outlives_get_results_day() -> None:
    template = Template()
    assert int(template.parameters["VerificationRetentionDays"]["MinValue"]) >= 2
    for spec in template.functions():
        assert {"VERIFICATION_RETENTION_DAYS", "KEEP_IDCARD_INFO", "REQUEST_HASH_KEY_SECRET_ID"} <= set(
            spec.environment
        )
