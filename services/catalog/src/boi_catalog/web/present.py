"""How calls read on the public site: Spanish labels, dates and safe links. Pure functions."""

import json
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from boi_catalog.branding import current
from boi_shared.taxonomy import CallType

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
    """The entity's label of the type (`BOI_BRAND_TYPE_LABELS`), else the taxonomy's Spanish one."""
    return current().type_label(str(call_type) if call_type else None)


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
        # The official source is reached through /ir/, which counts the click.
        "source_path": f"/ir/{call_id}" if safe_href(url) else None,
    }


def card_from_hit(hit: dict[str, Any]) -> dict[str, Any]:
    return card(
        call_id=hit["id"],
        title=hit.get("title") or "",
        summary=hit.get("summary") or "",
        call_type=hit.get("call_type"),
        deadline=hit.get("deadline"),
        colombia_eligible=hit.get("colombia_eligible"),
        url=hit.get("url"),
    )


def share_links(title: str, url: str) -> list[tuple[str, str]]:
    """Plain share links (no third-party scripts): (network, href)."""
    text = f"{title} {url}"
    return [
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": text})),
        ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})),
        ("X", "https://x.com/intent/post?" + urlencode({"text": title, "url": url})),
        ("Correo", f"mailto:?subject={quote(title)}&body={quote(url)}"),
    ]


def json_ld(document: dict[str, Any]) -> str:
    """JSON for a <script type="application/ld+json"> block: `<`, `>` and `&` are escaped as \\uXXXX so
    no value can close the script element or open a comment, whatever a title contains."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def call_json_ld(
    *,
    title: str,
    summary: str,
    canonical_url: str,
    official_url: str | None,
    deadline: str | None,
    funder: str | None,
    published: date,
    language: str | None,
) -> dict[str, Any]:
    """schema.org `Grant` (funding, scholarships, prizes…) describing the call."""
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Grant",
        "name": title,
        "description": summary,
        "url": canonical_url,
        "datePublished": published.isoformat(),
    }
    if official_url:
        doc["sameAs"] = official_url
    if funder:
        doc["funder"] = {"@type": "Organization", "name": funder}
    if deadline:
        doc["expires"] = deadline
    if language:
        doc["inLanguage"] = language
    return doc
