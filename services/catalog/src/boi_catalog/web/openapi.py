"""The catalog's OpenAPI document (public, documented routes only), checked in as
`services/catalog/openapi.json`: `python -m boi_catalog.web.openapi` (`make schemas`) writes it and a unit
test fails when the code drifts from it."""

import json
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parents[3] / "openapi.json"


def document() -> dict[str, Any]:
    from boi_catalog.app import create_app
    from boi_catalog.settings import Settings

    # Building the app does no I/O; console and site routes are excluded from the schema.
    app = create_app(Settings(kafka_bootstrap_servers="kafka:9092"))
    app.version = "1.0.0"
    doc: dict[str, Any] = app.openapi()
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    PATH.write_text(render(document()), encoding="utf-8")
    print(PATH)
