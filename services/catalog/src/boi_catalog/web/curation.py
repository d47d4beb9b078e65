"""The console's view of the curation use cases (`service.curation`): their call views turned into rows a
template shows, and the curator's form turned into typed changes. Pure but for reading the form."""

from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

from boi_catalog.domain.call import EDITABLE_FIELDS

FIELD_LABELS_ES = {
    "title": "Título",
    "summary": "Resumen",
    "call_type": "Tipo",
    "deadline": "Fecha de cierre",
    "colombia_eligible": "Elegibilidad Colombia",
    "funder": "Entidad que ofrece",
    "language": "Idioma",
    "sectors": "Sectores",
    "ods": "ODS",
    "audience": "Público",
    "countries": "Países",
    "modality": "Modalidad",
}
LIST_FIELDS = ("sectors", "ods", "audience", "countries")


async def form(request: Request) -> dict[str, str]:
    """A urlencoded form body (the console posts nothing else); the last value of each name wins."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_rows(call: dict[str, Any]) -> list[dict[str, Any]]:
    """Per editable field (from the use cases' call view): current value, AI value, its evidence
    sentence and confidence, locked or not."""
    fields: dict[str, Any] = call.get("fields") or {}
    rows = []
    for name in EDITABLE_FIELDS:
        f = fields.get(name) or {}
        confidence = f.get("confidence")
        rows.append(
            {
                "name": name,
                "label": FIELD_LABELS_ES.get(name, name),
                "value": _text(f.get("value")),
                "ai_value": _text(f.get("ai_value")),
                "evidence": f.get("evidence") or "",
                "confidence": f"{float(confidence):.0%}" if confidence is not None else "—",
                "locked": bool(f.get("locked")),
                "multiline": name == "summary",
            }
        )
    return rows


def changes_from(values: dict[str, str], call: dict[str, Any]) -> dict[str, Any]:
    """The fields the curator actually changed, typed like the stored ones (lists split on commas)."""
    fields: dict[str, Any] = call.get("fields") or {}
    changes: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name not in values:
            continue
        raw = values[name].strip()
        value: Any = raw or None
        if name in LIST_FIELDS:
            items = [x.strip() for x in raw.split(",") if x.strip()]
            value = [int(x) for x in items if x.isdigit()] if name == "ods" else items
        if _text(value) != _text((fields.get(name) or {}).get("value")):
            changes[name] = value
    return changes


def call_ids(values: dict[str, str], field: str = "call_ids") -> list[str]:
    return [x for x in (v.strip() for v in values.get(field, "").replace(",", "\n").split("\n")) if x]


async def form_list(request: Request, name: str) -> list[str]:
    """Every value of `name` in the form (checkboxes), de-duplicated in order."""
    body = (await request.body()).decode("utf-8", errors="replace")
    values = [v.strip() for v in parse_qs(body).get(name, []) if v.strip()]
    return list(dict.fromkeys(values))
