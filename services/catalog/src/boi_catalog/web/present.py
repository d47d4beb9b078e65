"""How calls read on the public site: Spanish labels, dates and safe links. Pure functions."""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from boi_shared.taxonomy import CALL_TYPE_LABELS_ES, CallType

MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
ELIGIBILITY_ES = {
    "si": "Colombia: puede postularse",
    "no": "Colombia: no elegible",
    "sin_dato": "Colombia: elegibilidad sin confirmar",
}


def date_es(value: date) -> str:
    return f"{value.day} de {MONTHS_ES[value.month - 1]} de {value.year}"


def deadline_label(deadline: date | str | None) -> str:
    if not deadline:
        return "Sin fecha de cierre"
    value = date.fromisoformat(deadline) if isinstance(deadline, str) else deadline
    return f"Cierre: {date_es(value)}"


def type_label(call_type: CallType | str | None) -> str:
    if not call_type:
        return "Sin clasificar"
    try:
        return CALL_TYPE_LABELS_ES[CallType(call_type)]
    except ValueError:
        return str(call_type)


def eligibility_label(value: str | None) -> str:
    return ELIGIBILITY_ES.get(value or "sin_dato", ELIGIBILITY_ES["sin_dato"])


def safe_href(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link; None otherwise (no `javascript:` or `data:` links)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def card(
    *,
    call_id: str,
    title: str,
    summary: str,
    call_type: Any,
    deadline: Any,
    colombia_eligible: str | None,
    url: str | None,
) -> dict[str, Any]:
    """The values a result card or a call page shows (escaped by the template, never here)."""
    return {
        "call_id": call_id,
        "path": f"/convocatorias/{call_id}",
        "title": title,
        "summary": summary,
        "type_label": type_label(call_type),
        "deadline_label": deadline_label(deadline),
        "eligibility_label": eligibility_label(colombia_eligible),
        "official_url": safe_href(url),
    }
