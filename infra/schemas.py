"""Write the JSON Schema of each event detail-type into events/schemas (`make schemas`).

The pydantic models in faceid_bridge.domain.events are the source of truth; tests/unit/test_event_contract.py
fails when these files drift from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faceid_bridge.domain.events import DETAIL_TYPES, SCHEMA_VERSION

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "events" / "schemas"


def file_name(detail_type: str) -> str:
    return detail_type.lower().replace(" ", "-") + ".json"


def schemas() -> dict[str, dict[str, Any]]:
    result = {}
    for detail_type, model in DETAIL_TYPES.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"faceid.bridge/{SCHEMA_VERSION}/{file_name(detail_type)}"
        schema["description"] = (
            f"detail of a '{detail_type}' event, source faceid.bridge, schema_version {SCHEMA_VERSION}"
        )
        result[file_name(detail_type)] = schema
    return result


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        (SCHEMA_DIR / name).write_text(render(schema))
        print(f"wrote events/schemas/{name}")


if __name__ == "__main__":
    main()
