"""Write the JSON Schema of each event detail-type into events/schemas (`make schemas`).

The pydantic models in faceid_bridge.domain.events are the source of truth; tests/unit/test_event_contract.py
fails when these files drift from them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faceid_bridge.domain.events import DETAIL_TYPES, SCHEMA_VERSION
from faceid_bridge.domain.verification import Channel

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "events" / "schemas"


def file_name(detail_type: str) -> str:
    return detail_type.lower().replace(" ", "-") + ".json"


def schemas() -> dict[str, dict[str, Any]]:
    """Schema files by path under events/schemas: one per detail-type, and one per channel and
    detail-type (channel fixed), for consumers that subscribe to one channel."""
    result = {}
    for detail_type, model in DETAIL_TYPES.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"faceid.bridge/{SCHEMA_VERSION}/{file_name(detail_type)}"
        schema["description"] = (
            f"detail of a '{detail_type}' event, source faceid.bridge, schema_version {SCHEMA_VERSION}"
        )
        result[file_name(detail_type)] = schema
        for channel in Channel:
            narrowed = json.loads(json.dumps(schema))
            narrowed["$id"] = f"faceid.bridge/{SCHEMA_VERSION}/{channel.value}/{file_name(detail_type)}"
            narrowed["description"] += f", channel {channel.value}"
            narrowed["properties"]["channel"] = {"const": channel.value}
            result[f"{channel.value}/{file_name(detail_type)}"] = narrowed
    return result


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> None:
    for name, schema in schemas().items():
        (SCHEMA_DIR / name).parent.mkdir(parents=True, exist_ok=True)
        (SCHEMA_DIR / name).write_text(render(schema))
        print(f"wrote events/schemas/{name}")


if __name__ == "__main__":
    main()
