"""The calls.enriched.v1 use cases: store an enriched call version, queue it for indexing and return the
change to announce, one event at a time or a batch at once.

The batch costs a few round trips (one insert of the calls not stored yet, one index task) instead of a
few per call: new calls are inserted without reading first (the insert itself tells which were new: an
`_id` already stored is refused), and only the refused ones take the per-call path (read, compare
versions, write)."""

import asyncio
import logging
from datetime import UTC, datetime

from boi_catalog.domain.call import CatalogCall, build_catalog_call
from boi_catalog.domain.public import call_published
from boi_catalog.ports import CallRepository, Indexer
from boi_catalog.service.writes import write_call
from boi_shared.events import CallEnriched, CallPublished

log = logging.getLogger("boi.catalog")


async def publish_enriched(
    event: CallEnriched,
    repository: CallRepository,
    indexer: Indexer,
    public_base_url: str,
    now: datetime | None = None,
    *,
    auto_publish: bool = False,
) -> CallPublished | None:
    """Store an enriched call version, queue it for indexing, and return the change to announce (None
    while it is not public).

    Idempotent: an older version never overwrites a newer one (None is returned), and a replay of the
    stored version re-queues the stored call and re-emits the very same event (same id and content).
    A call that needs review enters `en_revision`; fields a curator edited keep the curator's value.
    """
    extra = {"call_id": event.call_id, "version": event.version}
    stale = False

    def step(previous: CatalogCall | None) -> CatalogCall | None:
        nonlocal stale
        if previous is not None and previous.version >= event.version:
            stale = previous.version > event.version
            return None
        return build_catalog_call(event, previous, now or datetime.now(UTC), auto_publish=auto_publish)

    call = await write_call(repository, event.call_id, step)
    if stale:
        log.info("stale version ignored", extra=extra)
        return None
    if call is None:  # a replay of the stored version: repeat its side effects
        call = await repository.get(event.call_id)
        if call is None or call.version != event.version:
            return None
    await indexer.submit([call])
    log.info("call stored (%s), queued for indexing", call.status, extra=extra)
    return call_published(call, public_base_url) if call.is_public else None


async def publish_enriched_batch(
    events: list[CallEnriched],
    repository: CallRepository,
    indexer: Indexer,
    public_base_url: str,
    now: datetime | None = None,
    *,
    auto_publish: bool = False,
) -> list[CallPublished]:
    """Same outcome as `publish_enriched` on each event in order; returns the changes to announce.

    Calls not stored yet are inserted together; everything else (newer versions, replays, stale
    versions, several versions of one call in the batch) takes the per-call path, in order per call."""
    now = now or datetime.now(UTC)
    by_call: dict[str, list[CallEnriched]] = {}
    for event in events:
        by_call.setdefault(event.call_id, []).append(event)
    fresh = [build_catalog_call(evs[0], None, now, auto_publish=auto_publish) for evs in by_call.values()]
    inserted = await repository.insert_many(fresh)
    new_calls = [c for c in fresh if c.call_id in inserted]
    await indexer.submit(new_calls)
    published = {c.call_id: [call_published(c, public_base_url)] for c in new_calls if c.is_public}

    async def one_call(evs: list[CallEnriched]) -> list[CallPublished]:
        out = []
        for event in evs:
            change = await publish_enriched(
                event, repository, indexer, public_base_url, now, auto_publish=auto_publish
            )
            if change is not None:
                out.append(change)
        return out

    rest = {
        call_id: evs[1:] if call_id in inserted else evs
        for call_id, evs in by_call.items()
        if call_id not in inserted or len(evs) > 1
    }
    for call_id, changes in zip(rest, await asyncio.gather(*map(one_call, rest.values())), strict=True):
        published.setdefault(call_id, []).extend(changes)
    return [change for changes in published.values() for change in changes]
