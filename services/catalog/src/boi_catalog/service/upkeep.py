"""Upkeep use cases run by the scheduled jobs (`boi_catalog.jobs`): the calendar (publicada →
cierra_pronto 7 days before the deadline → cerrada after it), the health of official links, and the
re-queueing of calls still `index_pending` (written while Meilisearch was down, or before a crash).
Each takes its ports and a "today"/"now", so tests call it directly."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from boi_catalog.domain import lifecycle
from boi_catalog.domain.call import CatalogCall
from boi_catalog.ports import Announce, CallRepository, Indexer
from boi_catalog.service.writes import announce_if_public, write_call
from boi_shared.outbound import OutboundRefused, guarded_client

log = logging.getLogger("boi.catalog.jobs")


async def reindex_pending(repository: CallRepository, indexer: Indexer, *, limit: int = 5000) -> int:
    """Queue for indexing the calls MongoDB still marks `index_pending`; returns how many."""
    pending = await repository.pending(limit=limit)
    await indexer.submit(pending)
    return len(pending)


async def expire_calls(
    repository: CallRepository, indexer: Indexer, announce: Announce, base_url: str, today: date
) -> list[CatalogCall]:
    """Apply the calendar to public calls whose deadline is within 7 days or past; announce each
    change ("updated" for cierra_pronto, "closed" for cerrada). Returns the calls changed."""
    horizon = today + timedelta(days=lifecycle.CLOSING_SOON_DAYS)
    changed: list[CatalogCall] = []
    for candidate in await repository.public_closing_by(horizon, limit=100_000):

        def step(previous: CatalogCall | None) -> CatalogCall | None:
            status = lifecycle.expiry_status(previous, today) if previous else None
            return lifecycle.expire(previous, status, datetime.now(UTC)) if previous and status else None

        call = await write_call(repository, candidate.call_id, step)
        if call is None:
            continue
        await indexer.submit([call])
        await announce_if_public(call, announce, base_url)
        log.info("call is now %s", call.status, extra={"call_id": call.call_id})
        changed.append(call)
    return changed


async def link_status(client: httpx.AsyncClient, url: str) -> str:
    """ "ok", "broken" or "unchecked" (not http(s), or it or a redirect points inside our network: the
    guarded client refused to connect)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "unchecked"
    try:
        response = await client.head(url)
        if response.status_code in (403, 405, 501):  # servers that refuse HEAD
            async with client.stream("GET", url) as streamed:
                response = streamed
        return "broken" if response.status_code in (404, 410) or response.status_code >= 500 else "ok"
    except OutboundRefused as exc:
        log.warning("link not checked: %s", exc)
        return "unchecked"
    except httpx.HTTPError:
        return "broken"


async def check_links(
    repository: CallRepository,
    indexer: Indexer,
    *,
    now: datetime,
    link_timeout: float = 10.0,
    concurrency: int = 8,
    limit: int = 1000,
    allowlist: Sequence[str] = (),
) -> dict[str, str]:
    """Check the official links of public calls (HEAD, GET when refused; bounded concurrency, no
    redirects to other schemes; every hop through the outbound guard, `allowlist` being its
    BOI_OUTBOUND_ALLOWLIST) and record each result; a broken one enters the review queue."""
    calls = await repository.public_calls(limit=limit)
    gate = asyncio.Semaphore(concurrency)
    results: dict[str, str] = {}
    async with guarded_client(
        allowlist,
        timeout=link_timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": "BOI link check"},
    ) as client:

        async def one(call: CatalogCall) -> None:
            async with gate:
                status = await link_status(client, call.url)
            results[call.call_id] = status
            if status == "unchecked" or status == call.link_status:
                return

            def step(previous: CatalogCall | None) -> CatalogCall | None:
                return lifecycle.mark_link(previous, status, now) if previous else None

            stored = await write_call(repository, call.call_id, step)
            if stored is not None:
                await indexer.submit([stored])

        await asyncio.gather(*(one(c) for c in calls))
    return results
