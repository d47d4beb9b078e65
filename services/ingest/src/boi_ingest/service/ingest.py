"""Use cases of the ingest service: ingest a source, emitting one CallIngested per new content version of a
call, merging near-duplicates from other sources into the call that was seen first."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from boi_ingest.domain.errors import SourceError
from boi_ingest.domain.feeds import parse_feed
from boi_ingest.domain.model import Document, FeedItem, ItemState, ParsedFeed, Source
from boi_ingest.domain.normalize import normalize_here

# The ports live in `ports`; re-exported so callers find them beside the use cases.
from boi_ingest.ports import Fetcher, FetchStateStore, IngestReport, ItemStore, Normalize, Parse, Publish
from boi_ingest.service.commits import Commits, recover
from boi_ingest.service.planning import plan_chunk
from boi_shared.events import CallIngested

log = logging.getLogger("boi.ingest")

CHUNK = 1000
"""Items decided, published and recorded together; bounds the events in flight."""
LOOKAHEAD = 2
"""Chunks normalized ahead of the one being planned (bounds what waits in memory)."""
DEDUP_WINDOW = timedelta(days=365)
"""Near-duplicates are looked for among the calls seen within this window."""


__all__ = [
    "FetchStateStore",
    "Fetcher",
    "IngestReport",
    "ItemStore",
    "Parse",
    "Publish",
    "ingest_all",
    "ingest_source",
]


def _default_parse(document: Document) -> ParsedFeed:
    return parse_feed(document.content, base_url=document.base_url, content_type=document.content_type)


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
    await recover(source, store, publish, report, now)
    index = await store.signature_index(now - DEDUP_WINDOW)
    # One lookup for the whole feed (the store answers from memory once it has loaded the states).
    states = await store.states([item.call_id for item in feed.items])
    chunks = [feed.items[start : start + CHUNK] for start in range(0, len(feed.items), CHUNK)]
    changed = [_changed(chunk, states) for chunk in chunks]
    # Normalization runs LOOKAHEAD chunks ahead (in worker processes when configured), while this
    # coroutine plans, publishes and records the current chunk.
    normalizing = [asyncio.ensure_future(normalize(c)) for c in changed[:LOOKAHEAD]]
    emitted: dict[str, CallIngested] = {}
    commits = Commits(store, publish, report, now, source.source_id)
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
