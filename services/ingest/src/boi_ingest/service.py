"""Use cases of the ingest service: ingest a source, emitting one CallIngested per new content version."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, Field

from boi_ingest.domain.errors import SourceError
from boi_ingest.domain.feeds import parse_feed
from boi_ingest.domain.model import Document, FeedItem, ItemState, ParsedFeed, Source
from boi_shared.events import CallIngested, RawCall, SourceRef
from boi_shared.ids import event_id_for

log = logging.getLogger("boi.ingest")


class Fetcher(Protocol):
    """Gets the document a source location points at; raises FetchError with an actionable message."""

    async def fetch(self, location: str) -> Document: ...


class ItemStore(Protocol):
    """What was last emitted per call id (content hash and version)."""

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

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None: ...


Publish = Callable[[CallIngested], Awaitable[None]]
"""Publishes an event to calls.raw.v1 (key = call id) and returns once Kafka acknowledged it."""


class IngestReport(BaseModel):
    """What one run of one source did."""

    source: str = Field(description="The location ingested: file path or URL")
    source_id: str = Field(description="Id the calls are attributed to")
    fetched: int = Field(default=0, description="Entries in the feed")
    new: int = Field(default=0, description="Calls seen for the first time (version 1 emitted)")
    updated: int = Field(default=0, description="Calls whose content changed (a new version emitted)")
    unchanged: int = Field(default=0, description="Calls with the same content as last time")
    skipped: int = Field(default=0, description="Entries without a usable link or title")
    errors: list[str] = Field(default_factory=list, description="Why the source (or part) failed")
    warnings: list[str] = Field(default_factory=list, description="Skipped entries, lenient parsing")


def build_event(item: FeedItem, version: int, source: Source, feed_type: str) -> CallIngested:
    """The event of one call version; its id is derived from (call, version), so a re-emit is a replay."""
    return CallIngested(
        event_id=event_id_for("ingested", item.call_id, version),
        call_id=item.call_id,
        version=version,
        call=RawCall(
            url=item.url,
            title=item.title,
            text=item.text,
            language=item.language,
            published_at=item.published_at,
            content_hash=item.content_hash,
            sources=[SourceRef(source_id=source.source_id, source_type=feed_type, item_url=item.item_url)],
        ),
    )


async def _emit_changes(
    feed: ParsedFeed, source: Source, store: ItemStore, publish: Publish, report: IngestReport
) -> None:
    now = datetime.now(UTC)
    states = await store.states([item.call_id for item in feed.items])
    unchanged: list[str] = []
    for item in feed.items:
        state = states.get(item.call_id)
        if state is not None and state.content_hash == item.content_hash:
            unchanged.append(item.call_id)
            report.unchanged += 1
            continue
        version = state.version + 1 if state is not None else 1
        await publish(build_event(item, version, source, feed.feed_type))
        # Recorded only after Kafka acknowledged: a crash in between re-emits the same event id.
        await store.record(
            item.call_id,
            content_hash=item.content_hash,
            version=version,
            url=item.url,
            source_id=source.source_id,
            seen_at=now,
        )
        if state is None:
            report.new += 1
        else:
            report.updated += 1
    await store.touch(unchanged, now)


async def ingest_source(source: Source, fetcher: Fetcher, store: ItemStore, publish: Publish) -> IngestReport:
    """Fetch, parse and emit one source. Never raises: failures become `errors` of the report."""
    report = IngestReport(source=source.location, source_id=source.source_id)
    try:
        document = await fetcher.fetch(source.location)
        # CPU-bound on big feeds: off the event loop, so health probes and requests stay responsive.
        feed = await asyncio.to_thread(
            parse_feed, document.content, base_url=document.base_url, content_type=document.content_type
        )
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
        await _emit_changes(feed, source, store, publish, report)
    except Exception as exc:
        done = report.new + report.updated
        report.errors.append(
            f"stopped after emitting {done} call(s): {type(exc).__name__}: {exc}; "
            "the rest will be emitted by the next run"
        )
        log.exception("emitting failed", extra={"source_id": source.source_id})
    log.info(
        "ingested %s: %d new, %d updated, %d unchanged, %d skipped, %d errors",
        source.source_id,
        report.new,
        report.updated,
        report.unchanged,
        report.skipped,
        len(report.errors),
        extra={"source_id": source.source_id},
    )
    return report


async def ingest_all(
    locations: Sequence[str], fetcher: Fetcher, store: ItemStore, publish: Publish
) -> list[IngestReport]:
    """Ingest every location in turn; a bad source never stops the others."""
    return [await ingest_source(Source.from_location(loc), fetcher, store, publish) for loc in locations]
