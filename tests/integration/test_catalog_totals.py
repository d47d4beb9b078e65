"""Exact totals and paging through every result at the office's scale (Meilisearch's default
`maxTotalHits` of 1,000 cut searches short: `total: 1000`, empty pages past the thousandth hit).

The 5,000 calls are written straight into the site's own index with the catalog's adapter and document
builder: published through Kafka they would leave 5,000 `calls.published.v1` events that every later
test's notify and metrics consumers would first have to read (they timed those tests out in a full run)."""

import re

import httpx
import pytest

from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.domain.search import search_document
from tests.support.catalog_calls import catalog_call
from tests.support.catalog_site import catalog_site, word
from tests.support.stack import StackEndpoints

pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

CALLS = 5_000


async def test_5000_calls_are_counted_exactly_and_every_page_can_be_read(stack: StackEndpoints) -> None:
    marker = word()
    ids = [f"c-{marker}-{n}" for n in range(CALLS)]
    with catalog_site(stack) as site:  # its start-up applied the index settings
        index = MeiliSearchIndex(stack.meili_url, stack.meili_master_key, site.index)
        try:
            documents = [
                search_document(catalog_call(cid, title=f"Beca {marker} número {n}"))
                for n, cid in enumerate(ids)
            ]
            for start in range(0, CALLS, 1000):
                await index.index(documents[start : start + 1000])
        finally:
            await index.close()

        seen: list[str] = []
        async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
            for offset in range(0, CALLS + 50, 50):
                answer = await client.get("/api/calls", params={"q": marker, "limit": 50, "offset": offset})
                page = answer.json()
                assert page["total"] == CALLS
                seen += [hit["call_id"] for hit in page["hits"]]
            assert len(seen) == CALLS and set(seen) == set(ids)

            last = await client.get("/", params={"q": marker, "page": CALLS // 20})
            assert last.status_code == 200 and f"{CALLS} convocatorias" in last.text
            assert len(set(re.findall(r'href="/convocatorias/([^"]+)"', last.text))) == 20
