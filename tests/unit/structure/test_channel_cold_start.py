"""A function loads only the channels it serves: each channel declares its own FaceID hosts and host
part (channels/<channel>/config.py), so no generic module names every channel, and a handler's cold
start imports no other channel's package. Each check runs in a fresh interpreter."""

from __future__ import annotations

import pytest

from infra.local.template import Template, template_environment
from tests.unit.structure.test_lean_powertools import HANDLERS, fresh

# The channel packages a channel function's cold start needs: its own (the reconciler's model reads
# H5 Lite's host: it calls get_result). Any other function (the read, the publisher...) needs none.
SERVES = {
    "h5_lite_create": ["h5_lite"],
    "h5_lite_callbacks": ["h5_lite"],
    "app_sdk": ["app_sdk"],
    "h5_raw": ["h5_raw"],
    "reconciler": ["h5_lite"],
}


def test_each_listed_handler_exists() -> None:
    assert set(SERVES) <= set(HANDLERS)


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_handlers_cold_start_loads_only_the_channels_it_serves(handler: str) -> None:
    # When a handler is imported as Lambda imports it, with its environment as the template gives it
    template = Template()
    spec = next(spec for spec in template.functions() if spec.code_dir.name == handler)
    loaded = fresh(
        "import handler\n"
        "print(json.dumps(sorted({m.split('.')[2] for m in sys.modules"
        " if m.startswith('faceid_bridge.channels.') and m.count('.') >= 2})))",
        path=[str(spec.code_dir)],
        environment=template_environment(spec, template) | {"AWS_DEFAULT_REGION": "us-east-1"},
    )
    # Then the only channel packages loaded are its own (spec.py is the registry's, not a channel)
    assert isinstance(loaded, list)
    assert [name for name in loaded if name != "spec"] == SERVES.get(handler, [])
