"""A published `CatalogCall` for tests, built from defaults and the fields a test cares about."""

from datetime import UTC, date, datetime
from typing import Any

from boi_catalog.domain.call import CatalogCall
from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for

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


def enriched_fund(path: str, n: int, word: str) -> CallEnriched:
    """The n-th "Fondo <word>" call at https://example.org/<path>/<word>/<n>: approved, closing in 2031."""
    url = f"https://example.org/{path}/{word}/{n}"
    return CallEnriched(
        call_id=call_id_for(url),
        version=1,
        call=RawCall(
            url=url,
            title=f"Fondo {word}",
            text="Convocatoria.",
            content_hash="h",
            sources=[SourceRef(source_id="t", source_type="rss", item_url=url)],
        ),
        enrichment=Enrichment(
            taxonomy_version="t",
            provider="local",
            title_es=f"Fondo {word} {n}",
            summary_es="Resumen.",
            deadline=date(2031, 1, 1),
            needs_review=False,
        ),
    )
