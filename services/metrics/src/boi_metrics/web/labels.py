"""Spanish labels of the values rollups are broken down by."""

from typing import Any

from boi_shared.taxonomy import CALL_TYPE_LABELS_ES

TYPES_ES = {str(getattr(t, "value", t)): text for t, text in CALL_TYPE_LABELS_ES.items()}
CHANNELS_ES = {"web": "Sitio web", "api": "API", "email": "Correo", "webhook": "Webhooks", "social": "Redes"}


def label(dimension: str, value: str) -> str:
    if value == "sin_dato":
        return "Sin dato"
    if dimension == "type":
        return TYPES_ES.get(value, value)
    if dimension == "ods":
        return f"ODS {value}"
    if dimension == "channel":
        return CHANNELS_ES.get(value, value)
    return value.replace("_", " ")


def labelled(dimension: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "label": label(dimension, str(row["key"]))} for row in rows]
