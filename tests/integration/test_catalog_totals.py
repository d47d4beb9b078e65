"""Exact totals and paging through every result at the office's scale (Meilisearch's default
`maxTotalHits` of 1,000 cut searches short: `total: 1000`, empty pages past the thousandth hit)."""

import re

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient

from tests.support.catalog_site import catalog_site, enriched, word
from tests.support.kafka import eventually
from tests.support.stack import StackEndpoints

pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

CALLS = 5_000


async def _produce(bootstrap: str, events: list) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, max_batch_size=512 * 1024)
    await producer.start()
    try:
        for event in events:
            await producer.send(
                "calls.enriched.v1", event.model_dump_json().encode(), key=event.call_id.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()


def _total(site_url: str, marker: str) -> int:
    response = httpx.get(f"{site_url}/api/calls", params={"q": marker, "limit": 50}, timeout=30)
    return int(response.json()["total"]) if response.status_code == 200 else -1


async def test_5000_calls_are_counted_exactly_and_every_page_can_be_read(stack: StackEndpoints) -> None:
    marker = word()
    events = [enriched(f"Beca {marker} número {n}") for n in range(CALLS)]
    # A database of its own: 5,000 calls left in the session's shared catalog database slowed the console
    # tests that run after this one (their review queue scans every call on FerretDB).
    database = f"catalog_totals_{marker}"
    with catalog_site(stack, BOI_MONGO_DATABASE=database) as site:
        await _produce(stack.kafka_bootstrap, events)
        await eventually(lambda: _total(site.url, marker) == CALLS, timeout=600, interval=2)

        seen: list[str] = []
        async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
            for offset in range(0, CALLS + 50, 50):
                answer = await client.get("/api/calls", params={"q": marker, "limit": 50, "offset": offset})
                page = answer.json()
                assert page["total"] == CALLS
                seen += [hit["call_id"] for hit in page["hits"]]
            assert len(seen) == CALLS and set(seen) == {e.call_id for e in events}

            last = await client.get("/", params={"q": marker, "page": CALLS // 20})
            assert last.status_code == 200 and f"{CALLS} convocatorias" in last.text
            assert len(set(re.findall(r'href="/convocatorias/([^"]+)"', last.text))) == 20
    with MongoClient(stack.mongo_url) as client:
        client.drop_database(database)
