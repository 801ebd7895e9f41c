"""api/openapi.json: the HTTP API's OpenAPI document, generated from the handlers' own resolvers
(Powertools' OpenAPI support reads each route's request model, answer model and documented
errors) and from template.yaml (which routes need SigV4 and which are public).

    python -m infra.openapi            # write api/openapi.json (what `make schemas` runs)
    python -m infra.openapi --check    # exit 1 if it is not what the code generates

The local stack serves it at /v1/openapi.json, with Swagger UI at /v1/docs (`swagger_page`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from infra.local.functions import FunctionHost
from infra.local.template import ROOT, FunctionSpec, Template, template_environment

OPENAPI = ROOT / "api" / "openapi.json"
TITLE = "faceid-bridge"
VERSION = "1"
DESCRIPTION = (
    "The customer's side of Megvii FaceID: start verifications on three channels, read their "
    "decisions, and receive FaceID's signed callbacks. Every state change is also an event on the "
    "EventBridge bus (events/schemas/)."
)
SIGV4 = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "description": "AWS SigV4 (API Gateway IAM authorization): the caller needs execute-api:Invoke",
    "x-amazon-apigateway-authtype": "awsSigv4",
}


@contextmanager
def configured(spec: FunctionSpec, template: Template) -> Iterator[None]:
    """The function's environment as the template gives it (stubs for what a deployed stack
    resolves), while its handler loads and checks its configuration."""
    from faceid_bridge.config import load

    saved = dict(os.environ)
    os.environ.update(template_environment(spec, template))
    load.cache_clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        load.cache_clear()


def _referenced(document: Any) -> set[str]:
    if isinstance(document, dict):
        found = {document["$ref"].rsplit("/", 1)[1]} if isinstance(document.get("$ref"), str) else set()
        return found.union(*(_referenced(value) for value in document.values()))
    if isinstance(document, list):
        return set().union(*(_referenced(value) for value in document))
    return set()


def _deployed_only_if(spec: FunctionSpec, template: Template) -> str | None:
    """`Name=Value` for a function the template creates only where a parameter has that value (the
    webhook routes: Webhooks=Enabled); the document lists its routes, and says so on each."""
    if spec.condition is None:
        return None
    reference, value = template.document["Conditions"][spec.condition]["Fn::Equals"]
    return f"{reference['Ref']}={value}"


def generate(template: Template | None = None) -> dict[str, Any]:
    template = template or Template()
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": {},
        "components": {"schemas": {}, "securitySchemes": {"sigv4": SIGV4}},
    }
    for spec in template.functions():
        if not spec.routes:
            continue
        with configured(spec, template):
            resolver = FunctionHost(spec).module.resolver
        part = json.loads(resolver.get_openapi_json_schema(title=TITLE, version=VERSION))
        public = {(route.method.lower(), route.path) for route in spec.routes if route.public}
        only_if = _deployed_only_if(spec, template)
        for path, operations in part["paths"].items():
            for method, operation in operations.items():
                operation["security"] = [] if (method, path) in public else [{"sigv4": []}]
                if only_if:
                    operation["x-deployed-only-if"] = only_if
                    operation["description"] = (
                        f"{operation.get('description', '')}\n\nOnly in a stack deployed with {only_if}.".lstrip()
                    )
            document["paths"].setdefault(path, {}).update(operations)
        document["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
    # Powertools adds its validation error models; with request validation our own, they are unused.
    schemas = document["components"]["schemas"]
    used = _referenced(document["paths"])
    while True:
        more = _referenced({name: schemas[name] for name in used}) - used
        if not more:
            break
        used |= more
    document["components"]["schemas"] = {name: schemas[name] for name in sorted(used)}
    document["paths"] = dict(sorted(document["paths"].items()))
    return document


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def swagger_page(spec: str) -> str:
    """Swagger UI on an OpenAPI document, with Powertools' bundled assets (works offline)."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    return generate_swagger_html(
        spec=spec,
        swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(),
        swagger_css=(assets / "swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
    )


def main() -> None:
    text = render(generate())
    if "--check" in sys.argv:
        if not OPENAPI.is_file() or OPENAPI.read_text() != text:
            raise SystemExit(f"{OPENAPI.relative_to(ROOT)} is out of date: run `make schemas`")
        return
    OPENAPI.parent.mkdir(exist_ok=True)
    OPENAPI.write_text(text)
    print(f"wrote {OPENAPI.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
