"""MongoItemStore on the real MongoDB-protocol server of the stack (FerretDB here, MongoDB in production)."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.domain.model import ItemState
from tests.support.stack import StackEndpoints


@pytest.fixture
async def store(stack: StackEndpoints) -> AsyncIterator[tuple[MongoItemStore, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    database = f"ingest_store_{uuid.uuid4().hex[:12]}"
    try:
        yield MongoItemStore(client, database), client[database]["items"]
        await client.drop_database(database)
    finally:
        await client.close()


async def test_versions_only_move_forward(store: tuple[MongoItemStore, Any]) -> None:
    items, collection = store
    assert await items.ping()
    assert await items.states([]) == {}
    seen = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    common = {"url": "https://e.org/a", "source_id": "s", "seen_at": seen}
    assert await items.record("c-a", content_hash="h1", version=1, **common)
    assert await items.record("c-a", content_hash="h2", version=2, **common)
    # A stale writer (an older version, or the same one again) never moves the stored version back.
    assert not await items.record("c-a", content_hash="h1", version=1, **common)
    assert not await items.record("c-a", content_hash="hX", version=2, **common)
    assert await items.record("c-b", content_hash="hb", version=1, **common)
    assert await items.states(["c-a", "c-b", "c-missing"]) == {
        "c-a": ItemState("h2", 2),
        "c-b": ItemState("hb", 1),
    }
    doc = await collection.find_one({"_id": "c-a"})
    assert {k: doc[k] for k in ("content_hash", "version", "url", "source_id")} == {
        "content_hash": "h2",
        "version": 2,
        "url": "https://e.org/a",
        "source_id": "s",
    }
    later = datetime(2026, 2, 1, tzinfo=UTC)
    await items.touch(["c-a"], later)
    await items.touch([], later)
    touched = await collection.find_one({"_id": "c-a"})
    assert touched["seen_at"].replace(tzinfo=UTC) == later
    assert (await collection.find_one({"_id": "c-b"}))["seen_at"].replace(tzinfo=UTC) == seen
