"""A published `CatalogCall` for tests, built from defaults and the fields a test cares about."""

from datetime import UTC, datetime
from typing import Any

from boi_catalog.domain.call import CatalogCall

NOW = datetime(2026, 11, 24, tzinfo=UTC)


def catalog_call(call_id: str, **fields: Any) -> CatalogCall:
    """A `publicada` beca open to Colombia, published at `NOW`; `fields` override any of it."""
    defaults: dict[str, Any] = {
        "version": 1,
        "status": "publicada",
        "url": f"https://example.org/{call_id}",
        "title": f"Beca {call_id}",
        "summary": "Resumen.",
        "text": "Texto de la convocatoria.",
        "call_type": "beca",
        "deadline": "2031-01-31",
        "colombia_eligible": "si",
        "funder": "Fundación",
        "language": "es",
        "sources": [],
        "content_hash": "h",
        "enrichment": {},
        "published_at": NOW,
        "updated_at": NOW,
        "change": "published",
        "changed_fields": [],
    }
    return CatalogCall(call_id=call_id, **{**defaults, **fields})
