"""Use cases of the catalog service. They receive their ports as arguments."""

import logging
from datetime import UTC, datetime

from boi_catalog.domain.call import VISIBLE_STATUSES, CatalogCall, build_catalog_call
from boi_catalog.domain.public import call_published
from boi_catalog.domain.search import (
    SearchPage,
    public_filter,
    search_document,
    search_page,
    sort_for,
)
from boi_catalog.ports import CallRepository, SearchIndex
from boi_shared.events import CallEnriched, CallPublished
from boi_shared.taxonomy import CallType

log = logging.getLogger("boi.catalog")


async def publish_enriched(
    event: CallEnriched,
    repository: CallRepository,
    index: SearchIndex,
    public_base_url: str,
    now: datetime | None = None,
) -> CallPublished | None:
    """Store an enriched call version, make it searchable, and return the change to announce.

    Idempotent: an older version never overwrites a newer one (None is returned), and a replay of the
    stored version re-does the index write and re-emits the very same event (same id and content).
    """
    extra = {"call_id": event.call_id, "version": event.version}
    previous = await repository.get(event.call_id)
    if previous is not None and previous.version > event.version:
        log.info("stale version ignored (stored %d)", previous.version, extra=extra)
        return None
    if previous is not None and previous.version == event.version:
        call = previous
    else:
        call = build_catalog_call(event, previous, now or datetime.now(UTC))
    outcome = await repository.upsert(call)
    if outcome == "stale":
        log.info("stale version ignored (newer one stored meanwhile)", extra=extra)
        return None
    await index.index([search_document(call)])
    log.info("call stored and indexed: %s", outcome, extra=extra)
    return call_published(call, public_base_url)


async def search_calls(
    index: SearchIndex,
    query: str,
    call_type: CallType | None,
    limit: int,
    offset: int,
    public_base_url: str,
) -> SearchPage:
    """Public search: only published calls; relevance for a query, newest first when browsing."""
    found = await index.search(
        query, filter=public_filter(call_type), limit=limit, offset=offset, sort=sort_for(query)
    )
    return search_page(query, found.total, found.hits, public_base_url)


async def find_public_call(repository: CallRepository, call_id: str) -> CatalogCall | None:
    """A call the public may see, read from the source of truth."""
    call = await repository.get(call_id)
    return call if call is not None and call.status in VISIBLE_STATUSES else None
