"""The call of record as the catalog stores it, built from one enriched call version."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from boi_shared.events import CallEnriched

PUBLICADA = "publicada"
CIERRA_PRONTO = "cierra_pronto"
CERRADA = "cerrada"
SEARCHABLE_STATUSES = (PUBLICADA, CIERRA_PRONTO)
# A closed call keeps its page, so links already shared on social media still answer.
VISIBLE_STATUSES = (*SEARCHABLE_STATUSES, CERRADA)

# Compared between versions to tell subscribers what changed.
TRACKED_FIELDS = (
    "url",
    "title",
    "summary",
    "text",
    "call_type",
    "deadline",
    "colombia_eligible",
    "funder",
    "language",
    "sources",
)

Change = Literal["published", "updated"]


class CatalogCall(BaseModel):
    """One call in the catalog: the MongoDB document (`_id` = `call_id`), one per call."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    call_id: str
    version: int
    status: str
    url: str
    title: str
    summary: str
    text: str
    call_type: str | None
    deadline: str | None
    colombia_eligible: str
    funder: str | None
    language: str | None
    sources: list[dict[str, Any]]
    content_hash: str
    enrichment: dict[str, Any]
    published_at: datetime
    updated_at: datetime
    change: Change
    changed_fields: list[str]

    @property
    def deadline_tz(self) -> str | None:
        tz = self.enrichment.get("deadline_tz")
        return tz if isinstance(tz, str) and tz else None


def _public_fields(event: CallEnriched) -> dict[str, Any]:
    e = event.enrichment
    return {
        "url": event.call.url,
        "title": e.title_es,
        "summary": e.summary_es,
        "text": event.call.text,
        "call_type": e.call_type.value if e.call_type else None,
        "deadline": e.deadline.isoformat() if e.deadline else None,
        "colombia_eligible": e.colombia_eligible.value,
        "funder": e.funder,
        "language": e.language or event.call.language,
        "sources": [s.model_dump(mode="json") for s in event.call.sources],
    }


def changed_fields(previous: CatalogCall, fields: dict[str, Any]) -> list[str]:
    """Tracked fields whose value differs from the stored call, in a stable order."""
    return [name for name in TRACKED_FIELDS if getattr(previous, name) != fields[name]]


def build_catalog_call(event: CallEnriched, previous: CatalogCall | None, now: datetime) -> CatalogCall:
    """The catalog's record of a newer call version. The first stored version is a "published"
    change; later ones are "updated" with the fields that changed. Curation comes later: every call
    is published as it arrives."""
    fields = _public_fields(event)
    # Stored dates keep milliseconds only: truncate now so a replay re-emits exactly what was announced.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    return CatalogCall(
        call_id=event.call_id,
        version=event.version,
        status=PUBLICADA,
        content_hash=event.call.content_hash,
        enrichment=event.enrichment.model_dump(mode="json"),
        published_at=previous.published_at if previous else now,
        updated_at=now,
        change="updated" if previous else "published",
        changed_fields=changed_fields(previous, fields) if previous else [],
        **fields,
    )
