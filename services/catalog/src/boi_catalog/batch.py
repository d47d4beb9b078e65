"""The batched form of `publish_enriched`: a burst of enriched calls costs a few round trips (one insert
of the calls not stored yet, one index task, concurrent announcements) instead of a few per call.

New calls are inserted without reading first: the insert itself tells which were new (an `_id` already
stored is refused), and only the refused ones take the per-call path (read, compare versions, write)."""

import asyncio
from datetime import UTC, datetime

from boi_catalog.domain.call import build_catalog_call
from boi_catalog.domain.public import call_published
from boi_catalog.ports import CallRepository, Indexer
from boi_catalog.service import publish_enriched
from boi_shared.events import CallEnriched, CallPublished


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
