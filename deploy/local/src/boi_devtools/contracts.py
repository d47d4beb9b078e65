"""Generate the checked-in contract artifacts: event JSON Schemas and each service's AsyncAPI document.

`make schemas` writes them; the tests regenerate them in memory and fail on any drift.
"""

import importlib
import json
from pathlib import Path
from typing import Any

from boi_shared import schemas

REPO = Path(__file__).resolve().parents[4]
SERVICES = ("ingest", "enrich", "catalog", "notify", "metrics")


def asyncapi_path(service: str) -> Path:
    return REPO / "services" / service / "asyncapi.json"


def asyncapi_for(service: str) -> dict[str, Any]:
    module = importlib.import_module(f"boi_{service}.app")
    doc: dict[str, Any] = module.asyncapi()
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all() -> list[Path]:
    written = schemas.write_all()
    for service in SERVICES:
        path = asyncapi_path(service)
        path.write_text(render(asyncapi_for(service)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path.relative_to(REPO))
