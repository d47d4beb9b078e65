"""Events of the public contract. Frozen pydantic models; additive changes only (a breaking change is a new
`.v2` topic). Every event carries `event_id`, `occurred_at`, `schema_version` and the `call_id` key."""

import uuid
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from boi_shared.ids import CallId
from boi_shared.taxonomy import Audience, CallType, Eligibility, Modality

_Date = date  # a field below is named `date`


def _now() -> datetime:
    return datetime.now(UTC)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Envelope(Model):
    """Envelope fields shared by every event."""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Unique id of this event")
    occurred_at: AwareDatetime = Field(default_factory=_now, description="When the fact happened (UTC)")
    schema_version: int = Field(default=1, description="Version of this event's schema on its topic")


class Event(Envelope):
    """An event about one call: the envelope and the call's id, the message key."""

    call_id: CallId = Field(description="Stable id of the call, derived from its canonical URL; the key")


class SourceRef(Model):
    """Where a call was found."""

    source_id: str = Field(description="Id of the configured source (feed, API, page, file, manual)")
    source_type: str = Field(description="rss, atom, json_api, html, csv, xlsx, manual")
    item_url: str = Field(description="URL of the item as the source lists it")


class DateCandidate(Model):
    """A date the source states near a deadline word, with the sentence that states it (not a verdict)."""

    date: _Date = Field(description="The date as stated (calendar date, no time zone)")
    sentence: str = Field(description="The sentence of the source that states it")


class RawCall(Model):
    """A call as fetched and normalized, before any AI."""

    url: str = Field(description="Canonical URL of the call (tracking parameters and fragment removed)")
    title: str = Field(description="Title as published, as clean text")
    text: str = Field(description="Description as clean text (HTML removed, entities decoded, NFC)")
    language: str | None = Field(default=None, description="ISO 639-1 language of the text, if known")
    published_at: AwareDatetime | None = Field(default=None, description="Publication date stated")
    content_hash: str = Field(description="SHA-256 of the normalized title and text")
    sources: list[SourceRef] = Field(min_length=1, description="Every source announcing this call")
    tags: list[str] = Field(default_factory=list, description="Default tags of the source")
    deadline_candidates: list[DateCandidate] = Field(
        default_factory=list,
        description="Dates stated in sentences about a deadline (fecha límite, cierre, plazo, deadline, "
        "closes…), in order of appearance; candidates for enrichment to confirm, never a decided deadline",
    )
    funder_candidates: list[str] = Field(
        default_factory=list,
        description="Organizations the source says fund or offer the call (financiado por, offered by, "
        "funded by…), as stated; candidates for enrichment to confirm",
    )


class CallIngested(Event):
    """A new call, or a new version of a call whose content changed. Topic `calls.raw.v1`."""

    version: int = Field(ge=1, description="Content version of the call, increasing by one per change")
    call: RawCall = Field(description="The call as fetched and normalized")


class Evidence(Model):
    """Why an extracted field has its value."""

    sentence: str = Field(description="The source sentence the value was taken from")
    confidence: float = Field(ge=0, le=1, description="Confidence of the extraction, 0 to 1")


class Enrichment(Model):
    """The call rewritten for a citizen of Bogotá and classified (AI draft; a curator may change it)."""

    taxonomy_version: str = Field(description="Version of the taxonomy used")
    provider: str = Field(description="Provider that produced it: local, openai, …")
    title_es: str = Field(description="Spanish title")
    summary_es: str = Field(description="Plain-language Spanish summary of 2–3 sentences")
    call_type: CallType | None = Field(default=None, description="Kind of opportunity")
    sectors: list[str] = Field(default_factory=list, description="Sectors")
    ods: list[int] = Field(default_factory=list, description="Sustainable Development Goals 1–17")
    audience: list[Audience] = Field(default_factory=list, description="Who can apply")
    modality: Modality | None = Field(default=None, description="Presencial, virtual or híbrida")
    countries: list[str] = Field(default_factory=list, description="Eligible countries or regions")
    colombia_eligible: Eligibility = Field(
        default=Eligibility.SIN_DATO, description="Can people or entities of Colombia apply"
    )
    deadline: date | None = Field(default=None, description="Closing date as stated")
    deadline_tz: str | None = Field(default=None, description="Time zone of the deadline when stated")
    opening_date: date | None = Field(default=None, description="Opening date as stated")
    amount: float | None = Field(default=None, description="Amount offered, when stated")
    currency: str | None = Field(default=None, description="ISO 4217 currency of the amount")
    funder: str | None = Field(default=None, description="Organization funding the call")
    required_documents: list[str] = Field(default_factory=list, description="Documents required")
    language: str | None = Field(default=None, description="Language of the call's text")
    evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="Per extracted field, its source sentence and confidence"
    )
    needs_review: bool = Field(default=True, description="True when a curator must check it")
    review_reasons: list[str] = Field(default_factory=list, description="Why it needs review")


class CallEnriched(Event):
    """A call version with its AI enrichment. Topic `calls.enriched.v1`."""

    version: int = Field(ge=1, description="Content version of the call this enrichment belongs to")
    call: RawCall = Field(description="The call as fetched and normalized")
    enrichment: Enrichment = Field(description="The AI draft: classification, summary, evidence")


class PublicCall(Model):
    """A call as the public sees it."""

    url: str = Field(description="Official source of the call")
    public_url: str | None = Field(default=None, description="Page of the call on the public site")
    title: str = Field(description="Spanish title")
    summary: str = Field(description="Spanish summary")
    call_type: CallType | None = Field(default=None, description="Kind of opportunity")
    deadline: date | None = Field(default=None, description="Closing date, if stated")
    colombia_eligible: Eligibility = Field(
        default=Eligibility.SIN_DATO, description="Can people or entities of Colombia apply"
    )
    funder: str | None = Field(default=None, description="Organization funding the call")
    language: str | None = Field(default=None, description="Language of the official text")
    status: str = Field(description="en_revision, publicada, cierra_pronto, cerrada, retirada, archivada")
    sectors: list[str] = Field(default_factory=list, description="Sectors (for reach by sector)")
    ods: list[int] = Field(default_factory=list, description="Sustainable Development Goals 1–17")


class CallPublished(Event):
    """A change of a public call (published, updated, closed, withdrawn). Topic `calls.published.v1`."""

    version: int = Field(ge=1, description="Version of the call in the catalog")
    change: Literal["published", "updated", "closed", "withdrawn"] = Field(description="What changed")
    changed_fields: list[str] = Field(default_factory=list, description="Fields that changed")
    call: PublicCall = Field(description="The call as the public sees it after the change")
    announced_at: AwareDatetime | None = Field(
        default=None,
        description="Set when the office announces the call on its channels (the day's plan, at its hour): "
        "change `updated` with changed_fields [`announced_at`]",
    )


ImpressionKind = Literal[
    "search_result",
    "call_view",
    "source_click",
    "share",
    "subscribe",
    "applied",
    "selected",
    "email",
    "webhook",
    "social",
]
"""Kinds of exposure and response. `applied`/`selected` are a citizen's own report on the call's page."""

VISITOR_ID_PATTERN = r"^[0-9a-f]{32}$"


class ImpressionRecorded(Event):
    """A call shown to someone, or someone acting on it. Topic `metrics.impressions.v1`.

    Carries no personal data: no address, user agent or email. `visitor_id` is a hash of (the day's
    random salt, address, user agent, site) computed by the producer; the salt is deleted after 48 h, so
    nobody can recompute it later, and the same person on another day has another id.
    """

    kind: ImpressionKind = Field(description="What kind of exposure or response")
    channel: str = Field(default="web", description="web, api, email, webhook, social, …")
    position: int | None = Field(default=None, ge=0, description="Rank in the result list, if any")
    campaign: str | None = Field(
        default=None, description="UTM campaign of a `social` impression (a post marked as posted)"
    )
    channel_detail: str | None = Field(
        default=None,
        max_length=40,
        pattern=r"^[a-z0-9_.-]+$",
        description="Where within the channel: linkedin, x, whatsapp, newsletter, a partner's id, …",
    )
    utm_campaign: str | None = Field(
        default=None,
        max_length=60,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="UTM campaign the visitor arrived with, if any",
    )
    visitor_id: str | None = Field(
        default=None,
        pattern=VISITOR_ID_PATTERN,
        description="Daily-salted hash for unique counts (None for channels without a visitor)",
    )


class BulletinCall(Model):
    """One call of a bulletin, in the bulletin's order."""

    call_id: CallId = Field(description="Stable id of the call")
    call: PublicCall = Field(description="The call as the public sees it when the bulletin was approved")


class BulletinPublished(Envelope):
    """A curator approved the week's bulletin; its page is public. Topic `bulletins.published.v1`, key
    `week`. Sent again if the bulletin is approved again (consumers act once per `week`)."""

    week: str = Field(pattern=r"^\d{4}-\d{2}$", description="ISO year and week, `2026-50`: the bulletin's id")
    title: str = Field(max_length=160, description="Title chosen by the curator")
    intro: str = Field(default="", max_length=2000, description="Introduction written by the curator")
    public_url: str = Field(description="The bulletin's page on the public site")
    pdf_url: str | None = Field(default=None, description="Its printable PDF edition, if any")
    calls: list[BulletinCall] = Field(min_length=1, description="The calls of the bulletin, in order")


class WebhookRetryDue(Event):
    """A partner webhook delivery that failed and is due again. Topic `notify.webhook-retries.v1`, keyed by
    the endpoint's name. Internal to notify: the delivery itself (body, secret) stays in notify's database."""

    delivery_id: str = Field(max_length=200, description="Id of the delivery (`<event_id>:<endpoint>`)")
    endpoint: str = Field(max_length=40, description="Name of the partner endpoint")
    attempt: int = Field(ge=1, description="Number of the attempt that is due (the first try is 1)")
    due_at: AwareDatetime = Field(description="When the attempt is due (schedule with jitter)")


class DeadLetter(Model):
    """A message that can never be processed, parked on `<topic>.dlq` with why."""

    original_topic: str = Field(description="Topic the message was consumed from")
    partition: int = Field(description="Partition of the original message")
    offset: int = Field(description="Offset of the original message")
    key: str | None = Field(description="Message key (the call id), if any, as text")
    payload: str = Field(description="Original value as text (undecodable bytes replaced)")
    error_type: str = Field(description="Exception class")
    error: str = Field(description="What went wrong")
    consumer_group: str = Field(description="Service that failed to process it")
    failed_at: AwareDatetime = Field(default_factory=_now, description="When it was dead-lettered")
    attempts: int = Field(ge=1, description="How many times processing was tried")


EVENTS_BY_TOPIC: dict[str, type[Envelope]] = {
    "calls.raw.v1": CallIngested,
    "calls.enriched.v1": CallEnriched,
    "calls.published.v1": CallPublished,
    "metrics.impressions.v1": ImpressionRecorded,
    "bulletins.published.v1": BulletinPublished,
    "notify.webhook-retries.v1": WebhookRetryDue,
}
