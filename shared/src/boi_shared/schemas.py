"""JSON Schemas of the events, written into `shared/schemas/` and checked for drift by the tests."""

import json
from pathlib import Path
from typing import Any

from boi_shared.events import EVENTS_BY_TOPIC, DeadLetter

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def event_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, one per topic plus the dead-letter envelope."""
    out = {f"{topic}.json": model.model_json_schema() for topic, model in EVENTS_BY_TOPIC.items()}
    out["dlq.json"] = DeadLetter.model_json_schema()
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in event_schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
