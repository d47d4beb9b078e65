"""The call of record as the catalog stores it, built from one enriched call version."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from boi_shared.events import CallEnriched

EN_REVISION = "en_revision"
PUBLICADA = "publicada"
CIERRA_PRONTO = "cierra_pronto"
CERRADA = "cerrada"
RETIRADA = "retirada"
ARCHIVADA = "archivada"
STATUSES = (EN_REVISION, PUBLICADA, CIERRA_PRONTO, CERRADA, RETIRADA, ARCHIVADA)
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
# Fields a curator may edit; an edited field is locked against AI re-enrichment until accepted.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "call_type",
    "deadline",
    "colombia_eligible",
    "funder",
    "language",
    "sectors",
    "ods",
    "audience",
    "countries",
    "modality",
)
# Editable field → key of the AI value (and its evidence) in the enrichment.
AI_KEYS = {"title": "title_es", "summary": "summary_es"}

Change = Literal["published", "updated", "closed", "withdrawn"]


class CatalogCall(BaseModel):
    """One call in the catalog: the MongoDB document (`_id` = `call_id`), one per call.

    `version` is the content version from enrich; `revision` counts every write of the catalog's own
    (new version, curator edit, status change) and guards concurrent writers (compare-and-set)."""

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
    sectors: list[str] = []
    ods: list[int] = []
    audience: list[str] = []
    countries: list[str] = []
    modality: str | None = None
    revision: int = 0
    locked_fields: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    index_pending: bool = False
    announced: bool = True  # announced on calls.published.v1 at least once
    link_status: str | None = None
    review_reasons: list[str] = []
    reported: bool = False  # a citizen reported a problem a curator has not resolved yet
    citizen_reports: list[dict[str, Any]] = []  # the newest reports: at, kind, note (no personal data asked)

    @property
    def deadline_tz(self) -> str | None:
        tz = self.enrichment.get("deadline_tz")
        return tz if isinstance(tz, str) and tz else None

    @property
    def is_public(self) -> bool:
        return self.status in SEARCHABLE_STATUSES

    @property
    def awaits_curator(self) -> bool:
        """In the review queue: `en_revision`, a public call whose official link is broken, or a visible
        call a citizen reported."""
        return (
            self.status == EN_REVISION
            or (self.link_status == "broken" and self.status in SEARCHABLE_STATUSES)
            or (self.reported and self.status in VISIBLE_STATUSES)
        )


def ai_fields(event: CallEnriched) -> dict[str, Any]:
    """The call's fields as the AI (and the fetched source) state them."""
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
        "sectors": list(e.sectors),
        "ods": list(e.ods),
        "audience": [a.value for a in e.audience],
        "countries": list(e.countries),
        "modality": e.modality.value if e.modality else None,
    }


def changed_fields(previous: CatalogCall, fields: dict[str, Any]) -> list[str]:
    """Tracked fields whose value differs from the stored call, in a stable order."""
    names = [*TRACKED_FIELDS, *(f for f in EDITABLE_FIELDS if f not in TRACKED_FIELDS)]
    return [name for name in names if name in fields and getattr(previous, name) != fields[name]]


def stamp(now: datetime) -> datetime:
    """Stored dates keep milliseconds only: truncate so a replay re-emits exactly what was announced."""
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def initial_status(event: CallEnriched, auto_publish: bool) -> str:
    """A call that needs a curator enters the review queue; the rest are published directly."""
    return PUBLICADA if auto_publish or not event.enrichment.needs_review else EN_REVISION


def build_catalog_call(
    event: CallEnriched, previous: CatalogCall | None, now: datetime, *, auto_publish: bool = False
) -> CatalogCall:
    """The catalog's record of a newer call version. The first stored version is a "published"
    change; later ones are "updated" with the fields that changed. Fields a curator edited keep the
    curator's value (they are locked) and the status is the curator's, not the AI's."""
    fields = ai_fields(event)
    locked = dict(previous.locked_fields) if previous else {}
    fields.update({name: value for name, value in locked.items() if name in fields})
    now = stamp(now)
    status = previous.status if previous else initial_status(event, auto_publish)
    announced = bool(previous and previous.announced)
    reported = bool(previous and previous.reported)  # a new AI version does not settle a citizen's report
    return CatalogCall(
        call_id=event.call_id,
        version=event.version,
        status=status,
        content_hash=event.call.content_hash,
        enrichment=event.enrichment.model_dump(mode="json"),
        published_at=previous.published_at if previous else now,
        updated_at=now,
        change="updated" if announced else "published",
        changed_fields=changed_fields(previous, fields) if previous and announced else [],
        revision=previous.revision + 1 if previous else 0,
        locked_fields=locked,
        history=list(previous.history) if previous else [],
        index_pending=True,
        announced=announced or status in SEARCHABLE_STATUSES,
        link_status=previous.link_status if previous else None,
        review_reasons=list(event.enrichment.review_reasons) + (["reporte_ciudadano"] if reported else []),
        reported=reported,
        citizen_reports=list(previous.citizen_reports) if previous else [],
        **fields,
    )
