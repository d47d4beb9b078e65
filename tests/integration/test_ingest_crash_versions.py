"""A crash between publishing a version and recording it, on the real MongoDB-protocol store: the process
that comes back (a new MongoItemStore, nothing in memory) publishes that version again exactly as it was
sent, then the next change as the next version — never the same version with other content."""

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.domain.model import Document, Source, Validators
from boi_ingest.domain.plan import ItemRecord
from boi_ingest.service.ingest import ingest_source
from boi_shared.events import CallIngested
from tests.support.stack import StackEndpoints

FEED = "https://example.org/crash/feed.xml"


def rss(text: str) -> bytes:
    item = f"<item><title>Beca de movilidad</title><link>https://example.org/crash/a</link><description>{text}</description></item>"
    return f'<rss version="2.0"><channel><title>f</title>{item}</channel></rss>'.encode()


class Fetcher:
    def __init__(self, body: bytes) -> None:
        self.body = body

    async def fetch(self, location: str, validators: Validators | None = None) -> Document:
        return Document(self.body)


class Kafka:
    """Stands in for calls.raw.v1: what was acknowledged, in order."""

    def __init__(self) -> None:
        self.events: list[CallIngested] = []

    async def __call__(self, events: Sequence[CallIngested]) -> list[BaseException | None]:
        self.events.extend(events)
        return [None] * len(events)


@pytest.fixture
async def client(stack: StackEndpoints) -> AsyncIterator[tuple[AsyncMongoClient[dict[str, Any]], str]]:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    database = f"ingest_crash_{uuid.uuid4().hex[:12]}"
    try:
        yield mongo, database
        await mongo.drop_database(database)
    finally:
        await mongo.close()


async def test_a_version_that_reached_kafka_is_never_reused(
    client: tuple[AsyncMongoClient[dict[str, Any]], str],
) -> None:
    mongo, database = client
    source, kafka = Source.from_location(FEED), Kafka()
    first = MongoItemStore(mongo, database)
    assert (await ingest_source(source, Fetcher(rss("Cierra el 1 de marzo.")), first, kafka)).new == 1

    async def killed(records: Sequence[ItemRecord], seen_at: datetime) -> None:
        raise ConnectionResetError("the process died between publish and record")

    first.record_many = killed  # type: ignore[method-assign]
    crashed = await ingest_source(source, Fetcher(rss("Cierra el 15 de marzo.")), first, kafka)
    assert crashed.errors and [e.version for e in kafka.events] == [1, 2]
    sent = kafka.events[-1]

    restarted = MongoItemStore(mongo, database)  # a new process: only what the database holds
    report = await ingest_source(source, Fetcher(rss("Cierra el 1 de abril.")), restarted, kafka)
    reused = [e for e in kafka.events[2:] if e.event_id == sent.event_id and e.call != sent.call]
    assert not reused, f"version {sent.version} sent again with other content and the same event id"
    assert report.errors == [] and report.recovered == 1 and report.updated == 1
    again, change = kafka.events[2:]
    assert (again.version, again.event_id, again.call) == (sent.version, sent.event_id, sent.call)
    assert change.version == 3 and "1 de abril" in change.call.text
    assert change.event_id != sent.event_id
    # the newest version is what the store knows, and nothing is left in flight
    assert (await restarted.states([sent.call_id]))[sent.call_id].version == 3
    assert await mongo[database]["in_flight"].count_documents({}) == 0
    unchanged = await ingest_source(
        source, Fetcher(rss("Cierra el 1 de abril.")), MongoItemStore(mongo, database), kafka
    )
    assert (unchanged.recovered, unchanged.unchanged, len(kafka.events)) == (0, 1, 4)
