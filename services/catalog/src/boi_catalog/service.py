"""Use cases of the catalog service. They receive their ports as arguments."""

import logging
from datetime import UTC, datetime

from boi_catalog.domain.call import VISIBLE_STATUSES, CatalogCall, build_catalog_call
from boi_catalog.domain.public import call_published
from boi_catalog.domain.search import SearchPage, public_filter, search_page, sort_for
from boi_catalog.ports import CallRepository, Indexer, SearchIndex
from boi_catalog.writes import announce_if_public, write_call
from boi_shared.events import CallEnriched, CallPublished
from boi_shared.taxonomy import CallType

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


# The curation use cases live in `curation`; re-exported so callers find every use case here.
from boi_catalog.curation import (  # noqa: E402
    accept_ai,
    approve,
    audit_log,
    edit_call,
    get_call,
    reject,
    review_queue,
    withdraw,
)

__all__ = [
    "accept_ai",
    "announce_if_public",
    "approve",
    "audit_log",
    "edit_call",
    "find_public_call",
    "get_call",
    "publish_enriched",
    "reject",
    "review_queue",
    "search_calls",
    "withdraw",
    "write_call",
]
