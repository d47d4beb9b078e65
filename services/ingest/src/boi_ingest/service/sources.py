"""Ingest a registered source of any type, and a manual submission, through the ingest use case.

Every type goes through `service.ingest.ingest_source` with the parser its type calls for (the dispatcher of
`domain.parsers`); a manual call is a one-item document. So versions, near-duplicate merging,
publish-before-record and the report are the same for every type.
"""

import logging
from collections.abc import Callable
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document, ParsedFeed, Source, Validators
from boi_ingest.domain.normalize import normalize_here
from boi_ingest.domain.parsers.common import RawEntry, build_item
from boi_ingest.domain.parsers.job import ParseJob, parse_job
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.domain.sources import RunCounts, SourceConfig, SourceType, guess_type
from boi_ingest.ports import Fetcher, IngestReport, ItemStore, Normalize, Parse, Publish
from boi_ingest.service.ingest import ingest_source

log = logging.getLogger("boi.ingest")
MANUAL_SOURCE = Source(source_id="manual", location="manual")
Outcome = Literal["new", "updated", "duplicate", "unchanged"]


def counts_of(report: IngestReport) -> RunCounts:
    """The registry's counts of a report (fields the report lacks count 0)."""
    data = report.model_dump()
    return RunCounts(**{k: int(data.get(k) or 0) for k in RunCounts.model_fields})


RunParse = Callable[[Document, ParseJob], ParsedFeed]
"""Runs a parse job: in a budgeted worker process (`parsing.BudgetedParser`) or here (`parse_job`)."""


def parser_for(config: SourceConfig, run_parse: RunParse = parse_job) -> Parse:
    """The `parse` step of the use case for a source of this type, mapping and language hint."""
    job = ParseJob(config.type, config.mapping, config.language)
    return lambda document: run_parse(document, job)


def adhoc_parser(location: str, run_parse: RunParse = parse_job) -> Parse:
    """The parser of an unregistered location by its name: CSV/XLSX, JSON through the shipped mapping it
    fits, RSS/Atom otherwise. HTML needs selectors, so only registered HTML sources are read."""
    kind = guess_type(location)
    if kind not in (SourceType.CSV, SourceType.XLSX, SourceType.JSON_API):
        kind = SourceType.RSS
    job = ParseJob(kind)
    return lambda document: run_parse(document, job)


class _Requesting:
    """A fetcher that asks with a source's declared request (the use case knows only locations)."""

    def __init__(self, fetcher: Fetcher, request: SourceRequest) -> None:
        self._fetcher = fetcher
        self._request = request

    async def fetch(
        self, location: str, validators: Validators | None = None, request: SourceRequest | None = None
    ) -> Document:
        return await self._fetcher.fetch(location, validators, request or self._request)


async def ingest_config(
    config: SourceConfig,
    fetcher: Fetcher,
    store: ItemStore,
    publish: Publish,
    normalize: Normalize = normalize_here,
    run_parse: RunParse = parse_job,
) -> IngestReport:
    """Fetch (with the source's declared request, if any), parse by type and emit one registered source.
    Never raises: failures go to the report."""
    asking = fetcher if config.request is None else _Requesting(fetcher, config.request)
    parse = parser_for(config, run_parse)
    return await ingest_source(config.to_source(), asking, store, publish, parse=parse, normalize=normalize)


class ManualCall(BaseModel):
    """A call an operator submits by hand (POST /api/calls/manual)."""

    title: str = Field(min_length=1, max_length=2000, description="Title as published")
    url: str = Field(min_length=1, max_length=4000, description="Official http(s) page of the call")
    text: str = Field(default="", max_length=200_000, description="Description (HTML is cleaned)")
    language: str | None = Field(default=None, max_length=35, description="Language code, e.g. es")
    published_at: AwareDatetime | None = Field(default=None, description="Publication date, if stated")
    deadline: str | None = Field(default=None, max_length=200, description="Closing date as stated")
    funder: str | None = Field(default=None, max_length=500, description="Who funds the call")
    tags: list[str] = Field(default_factory=list, max_length=50, description="Tags of the call")


class ManualResult(BaseModel):
    """What a manual submission did."""

    call_id: str = Field(description="Stable id of the call (from its canonical URL)")
    url: str = Field(description="Canonical URL of the call")
    outcome: Outcome = Field(
        description="new or updated (a version emitted), duplicate (merged into a known call), unchanged"
    )
    version: int = Field(description="Content version of the call now")


class InvalidCallError(FeedError):
    """A manual call that cannot be a raw call (no usable title or link)."""


class NotPublishedError(RuntimeError):
    """The call could not be published or recorded (Kafka or MongoDB unavailable)."""


class _Given:
    """A fetcher of nothing: a manual call carries its content."""

    async def fetch(
        self, location: str, validators: Validators | None = None, request: SourceRequest | None = None
    ) -> Document:
        return Document(b"")


async def submit_manual(call: ManualCall, store: ItemStore, publish: Publish) -> ManualResult:
    """Validate, normalize and emit one call; an identical resubmission emits nothing."""
    item = build_item(
        RawEntry(
            title=call.title,
            link=call.url,
            text=call.text,
            language=call.language,
            published_at=call.published_at,
            funder=call.funder,
            deadline=call.deadline,
        )
    )
    if isinstance(item, str):
        raise InvalidCallError(f"not a usable call: {item}")
    source = Source(MANUAL_SOURCE.source_id, MANUAL_SOURCE.location, tags=tuple(call.tags))
    report = await ingest_source(
        source, _Given(), store, publish, parse=lambda _: ParsedFeed("manual", [item])
    )
    if report.errors:
        raise NotPublishedError(report.errors[0])
    state = (await store.states([item.call_id]))[item.call_id]
    outcome: Outcome = (
        "new"
        if report.new
        else "updated"
        if report.updated
        else "duplicate"
        if report.duplicate
        else "unchanged"
    )
    return ManualResult(
        call_id=state.call_id or item.call_id, url=item.url, outcome=outcome, version=state.version
    )
