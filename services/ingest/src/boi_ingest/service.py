"""Use cases of the ingest service: ingest a source, emitting one CallIngested per new content version of a
call, merging near-duplicates from other sources into the call that was seen first."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

from boi_ingest.domain.dedup import Signature, SignatureIndex
from boi_ingest.domain.errors import SourceError
from boi_ingest.domain.feeds import parse_feed
from boi_ingest.domain.model import Document, FeedItem, ItemState, ParsedFeed, Source, Validators
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.emitting import ItemRecord, Plan, plan_chunk
from boi_ingest.normalizing import Normalize, normalize_here
from boi_shared.events import CallIngested

log = logging.getLogger("boi.ingest")

CHUNK = 1000
"""Items decided, published and recorded together; bounds the events in flight."""
LOOKAHEAD = 2
"""Chunks normalized ahead of the one being planned (bounds what waits in memory)."""
RECORDING = 2
"""Acknowledged chunks being recorded at once while the next one is published."""
DEDUP_WINDOW = timedelta(days=365)
"""Near-duplicates are looked for among the calls seen within this window."""


class Fetcher(Protocol):
    """Gets the document a source location points at; raises FetchError with an actionable message.

    With `validators` from an earlier fetch it asks conditionally; a 304 is a `not_modified` document.
    `request` is the source's declared HTTP request (method, body, headers); None asks with a GET.
    """

    async def fetch(
        self, location: str, validators: Validators | None = None, request: SourceRequest | None = None
    ) -> Document: ...


class FetchStateStore(Protocol):
    """Conditional-GET validators (ETag, Last-Modified) remembered per source."""

    async def validators(self, source_id: str) -> Validators: ...

    async def save_validators(self, source_id: str, validators: Validators) -> None: ...


class ItemStore(FetchStateStore, Protocol):
    """Per item (id from its URL): what was last emitted; per call: its last event; the signatures."""

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]: ...

    async def record(
        self,
        call_id: str,
        *,
        content_hash: str,
        version: int,
        url: str,
        source_id: str,
        seen_at: datetime,
    ) -> bool: ...

    async def record_many(self, records: Sequence[ItemRecord], seen_at: datetime) -> None: ...

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None:
        """Mark unchanged items as seen (not used on the ingest path: too slow on FerretDB)."""
        ...

    async def calls(self, call_ids: Sequence[str]) -> dict[str, CallIngested]: ...

    async def signature_index(self, since: datetime) -> SignatureIndex:
        """The signatures seen since `since`; the store adds the ones it is given later."""
        ...

    async def add_signatures(self, signatures: Sequence[Signature], seen_at: datetime) -> None: ...


Publish = Callable[[Sequence[CallIngested]], Awaitable[list[BaseException | None]]]
"""Publishes events to calls.raw.v1 (key = call id) in order and returns once Kafka acknowledged or
refused each: per event, None or why it failed."""
Parse = Callable[[Document], ParsedFeed]
"""Turns a fetched document into items (RSS/Atom by default; the source type decides)."""


class IngestReport(BaseModel):
    """What one run of one source did."""

    source: str = Field(description="The location ingested: file path or URL")
    source_id: str = Field(description="Id the calls are attributed to")
    fetched: int = Field(default=0, description="Entries in the feed")
    new: int = Field(default=0, description="Calls seen for the first time (version 1 emitted)")
    updated: int = Field(default=0, description="Calls whose content changed (a new version emitted)")
    unchanged: int = Field(default=0, description="Calls with the same content as last time")
    skipped: int = Field(default=0, description="Entries without a usable link or title")
    duplicate: int = Field(
        default=0, description="Entries recognised as a call already known from another URL (merged)"
    )
    not_modified: bool = Field(default=False, description="The server answered 304: nothing to read")
    errors: list[str] = Field(default_factory=list, description="Why the source (or part) failed")
    warnings: list[str] = Field(default_factory=list, description="Skipped entries, lenient parsing")


def _default_parse(document: Document) -> ParsedFeed:
    return parse_feed(document.content, base_url=document.base_url, content_type=document.content_type)


async def _publish_all(plan: Plan, publish: Publish) -> tuple[set[str], BaseException | None]:
    """Publish every planned event; the call ids acknowledged, and the first failure."""
    events = list(plan.events.values())
    results = await publish(events) if events else []
    done = {e.call_id for e, r in zip(events, results, strict=True) if r is None}
    failure = next((r for r in results if r is not None), None)
    return done, failure


async def _record(plan: Plan, done: set[str], store: ItemStore, report: IngestReport, now: datetime) -> None:
    """Record what of a chunk Kafka acknowledged (`done`: call ids) and count it in the report."""
    # Recorded only after Kafka acknowledged: a crash in between re-emits the same event id.
    records = [r for r in plan.records.values() if r.event_call_id is None or r.event_call_id in done]
    signatures = [s for s in plan.signatures if s.call_id in done]
    await asyncio.gather(store.record_many(records, now), store.add_signatures(signatures, now))
    recorded = {r.item_id for r in records}
    report.new += sum(1 for i in plan.new if i in recorded)
    report.updated += sum(1 for i in plan.updated if i in recorded)
    report.duplicate += sum(1 for i in plan.duplicate if i in recorded)
    report.unchanged += len(plan.unchanged)


class _Commits:
    """Publishes planned chunks one after the other — a chunk once the previous one is acknowledged, so
    the versions of a call stay in order — and records each acknowledged chunk while the next one is
    being published (Kafka and MongoDB work at the same time)."""

    def __init__(self, store: ItemStore, publish: Publish, report: IngestReport, now: datetime) -> None:
        self._store, self._publish, self._report, self._now = store, publish, report, now
        self._publishing: tuple[Plan, asyncio.Task[tuple[set[str], BaseException | None]]] | None = None
        self._recording: list[asyncio.Task[None]] = []

    async def submit(self, plan: Plan) -> None:
        """Start publishing `plan` once the previous chunk is acknowledged; raise its publish failure."""
        await self._settle()
        self._publishing = (plan, asyncio.create_task(_publish_all(plan, self._publish)))

    async def finish(self) -> None:
        await self._settle()
        while self._recording:
            await self._recording.pop(0)

    async def _settle(self) -> None:
        if self._publishing is None:
            return
        plan, publishing = self._publishing
        self._publishing = None
        done, failure = await publishing
        self._recording.append(asyncio.create_task(_record(plan, done, self._store, self._report, self._now)))
        while len(self._recording) > RECORDING:
            await self._recording.pop(0)
        if failure is not None:
            await self.finish()
            raise failure

    async def abort(self) -> None:
        """After a failure: stop publishing; what was acknowledged is still recorded where possible."""
        if self._publishing is not None:
            self._publishing[1].cancel()
            await asyncio.gather(self._publishing[1], return_exceptions=True)
            self._publishing = None
        await asyncio.gather(*self._recording, return_exceptions=True)
        self._recording.clear()


def _changed(items: Sequence[FeedItem], states: dict[str, ItemState]) -> list[FeedItem]:
    """The items that are new or whose content changed: the ones normalization is needed for."""
    return [
        item
        for item in items
        if (state := states.get(item.call_id)) is None or state.content_hash != item.content_hash
    ]


async def _emit_changes(
    feed: ParsedFeed,
    source: Source,
    store: ItemStore,
    publish: Publish,
    report: IngestReport,
    normalize: Normalize,
) -> None:
    now = datetime.now(UTC)
    index = await store.signature_index(now - DEDUP_WINDOW)
    # One lookup for the whole feed (the store answers from memory once it has loaded the states).
    states = await store.states([item.call_id for item in feed.items])
    chunks = [feed.items[start : start + CHUNK] for start in range(0, len(feed.items), CHUNK)]
    changed = [_changed(chunk, states) for chunk in chunks]
    # Normalization runs LOOKAHEAD chunks ahead (in worker processes when configured), while this
    # coroutine plans, publishes and records the current chunk.
    normalizing = [asyncio.ensure_future(normalize(c)) for c in changed[:LOOKAHEAD]]
    emitted: dict[str, CallIngested] = {}
    commits = _Commits(store, publish, report, now)
    try:
        for position, chunk in enumerate(chunks):
            if position + LOOKAHEAD < len(chunks):
                normalizing.append(asyncio.ensure_future(normalize(changed[position + LOOKAHEAD])))
            ids = (item.call_id for item in changed[position])
            found = dict(zip(ids, await normalizing[position], strict=True))
            # Planned while the previous chunk is being published and recorded.
            plan = await plan_chunk(chunk, states, index, store.calls, source, feed.feed_type, emitted, found)
            emitted.update(plan.events)
            await commits.submit(plan)
        await commits.finish()
    finally:
        for future in normalizing:
            future.cancel()
        await commits.abort()
        await asyncio.gather(*normalizing, return_exceptions=True)


async def ingest_source(
    source: Source,
    fetcher: Fetcher,
    store: ItemStore,
    publish: Publish,
    *,
    parse: Parse | None = None,
    normalize: Normalize = normalize_here,
) -> IngestReport:
    """Fetch, parse and emit one source. Never raises: failures become `errors` of the report.

    The source's validators (ETag, Last-Modified) are saved only once every item was emitted, so a 304
    never hides an item a failed run did not emit.
    """
    report = IngestReport(source=source.location, source_id=source.source_id)
    try:
        known = await store.validators(source.source_id)
        document = await (fetcher.fetch(source.location, known) if known else fetcher.fetch(source.location))
        if document.not_modified:
            report.not_modified = True
            log.info("not modified: %s", source.source_id, extra={"source_id": source.source_id})
            return report
        # CPU-bound on big feeds: off the event loop, so health probes and requests stay responsive.
        feed = await asyncio.to_thread(parse or _default_parse, document)
    except SourceError as exc:
        report.errors.append(str(exc))
        log.warning("source failed: %s", exc, extra={"source_id": source.source_id})
        return report
    except Exception as exc:
        report.errors.append(f"unexpected error reading the source: {type(exc).__name__}: {exc}")
        log.exception("source failed", extra={"source_id": source.source_id})
        return report
    report.fetched = feed.entries
    report.skipped = len(feed.skipped)
    report.warnings = ([feed.warning] if feed.warning else []) + feed.skipped
    try:
        await _emit_changes(feed, source, store, publish, report, normalize)
        if document.validators:
            await store.save_validators(source.source_id, document.validators)
    except Exception as exc:
        done = report.new + report.updated + report.duplicate
        report.errors.append(
            f"stopped after emitting {done} call(s): {type(exc).__name__}: {exc}; "
            "the rest will be emitted by the next run"
        )
        log.exception("emitting failed", extra={"source_id": source.source_id})
    log.info(
        "ingested %s: %d new, %d updated, %d duplicate, %d unchanged, %d skipped, %d errors",
        source.source_id,
        report.new,
        report.updated,
        report.duplicate,
        report.unchanged,
        report.skipped,
        len(report.errors),
        extra={"source_id": source.source_id},
    )
    return report


async def ingest_all(
    locations: Sequence[str],
    fetcher: Fetcher,
    store: ItemStore,
    publish: Publish,
    normalize: Normalize = normalize_here,
) -> list[IngestReport]:
    """Ingest every location in turn; a bad source never stops the others."""
    return [
        await ingest_source(Source.from_location(loc), fetcher, store, publish, normalize=normalize)
        for loc in locations
    ]
