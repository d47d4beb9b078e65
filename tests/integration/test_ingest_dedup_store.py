"""The dedup and fetch-state collections of MongoItemStore on the real MongoDB-protocol server."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_ingest.adapters.mongo import MongoItemStore
from boi_ingest.domain.dedup import Signature
from boi_ingest.domain.model import Validators
from boi_ingest.domain.plan import ItemRecord, event_of
from boi_shared.events import DateCandidate, RawCall, SourceRef
from tests.support.stack import StackEndpoints


@pytest.fixture
async def store(stack: StackEndpoints) -> AsyncIterator[MongoItemStore]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    database = f"ingest_dedup_store_{uuid.uuid4().hex[:12]}"
    try:
        yield MongoItemStore(client, database)
        await client.drop_database(database)
    finally:
        await client.close()


def _call(*sources: str) -> RawCall:
    return RawCall(
        url="https://e.org/a",
        title="Becas Fulbright 2027",
        text="La fecha límite es el 15 de febrero de 2027.",
        content_hash="h1",
        sources=[SourceRef(source_id=s, source_type="rss", item_url=f"https://{s}/a") for s in sources],
        deadline_candidates=[DateCandidate(date=datetime(2027, 2, 15).date(), sentence="La fecha límite…")],
    )


async def test_records_calls_and_merged_items(store: MongoItemStore) -> None:
    now = datetime.now(UTC)
    first = event_of("c-a", 1, _call("s1"))
    await store.record_many([ItemRecord("c-a", 1, "h1", "https://e.org/a", "s1", event=first)], now)
    merged = event_of("c-a", 2, _call("s1", "s2"))
    await store.record_many(
        [
            ItemRecord("c-a", 2, event=merged),
            ItemRecord("c-b", 2, "hb", "https://f.org/b", "s2", call_id="c-a"),
        ],
        now,
    )
    states = await store.states(["c-a", "c-b"])
    assert (states["c-a"].version, states["c-a"].content_hash, states["c-a"].call_id) == (2, "h1", None)
    assert [s.source_id for s in states["c-a"].sources] == ["s1", "s2"]
    assert (states["c-b"].call_id, states["c-b"].content_hash) == ("c-a", "hb")
    calls = await store.calls(["c-a", "c-b", "c-x"])
    assert {k: (e.event_id, e.version, e.call) for k, e in calls.items()} == {
        "c-a": (merged.event_id, 2, merged.call)
    }
    # A stale writer never moves a version back (the bulk write falls back to single writes).
    await store.record_many([ItemRecord("c-a", 1, "old", event=first), ItemRecord("c-c", 1, "hc")], now)
    states = await store.states(["c-a", "c-c"])
    assert (states["c-a"].version, states["c-a"].content_hash, states["c-c"].version) == (2, "h1", 1)


async def test_signatures_and_fetch_state(store: MongoItemStore) -> None:
    now = datetime.now(UTC)
    a = Signature.of("c-a", "Becas Fulbright 2027", deadlines=["2027-02-15"], funders=["Comisión Fulbright"])
    b = Signature.of("c-a", "Fulbright 2027 becas", item_id="c-b")
    await store.add_signatures([a, b], now - timedelta(days=400))
    assert await store.signatures(now - timedelta(days=365)) == []
    await store.add_signatures([a, b], now)
    assert sorted(await store.signatures(now - timedelta(days=1)), key=lambda s: s.item_id) == [a, b]

    assert not await store.validators("feed")
    await store.save_validators("feed", Validators(etag='"x"', last_modified="Wed, 21 Oct 2026 07:28:00 GMT"))
    await store.save_validators("feed", Validators(etag='"y"'))
    assert await store.validators("feed") == Validators(etag='"y"')


async def test_memory_follows_another_process_writes(stack: StackEndpoints) -> None:
    """Two stores on one database (the service and an operator's `boi ingest run`): what one writes, the
    other sees on its next read, though both answer from memory; a store's own writes cause no reload."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    database = f"ingest_two_writers_{uuid.uuid4().hex[:12]}"
    service, operator = MongoItemStore(client, database), MongoItemStore(client, database)
    loads = {"count": 0}
    load_states = service._load_states

    async def counted() -> dict[str, Any]:
        loads["count"] += 1
        return await load_states()

    service._load_states = counted  # type: ignore[method-assign]
    now = datetime.now(UTC)
    try:
        assert await service.states(["c-a"]) == {}
        first = event_of("c-a", 1, _call("s1"))
        await service.record_many([ItemRecord("c-a", 1, "h1", "https://e.org/a", "s1", event=first)], now)
        assert (await service.states(["c-a"]))["c-a"].version == 1
        assert loads["count"] == 1  # its own write was applied in memory

        await operator.record_many(
            [ItemRecord("c-b", 1, "hb", "https://f.org/b", "s2", event=event_of("c-b", 1, _call("s2")))], now
        )
        await operator.add_signatures([Signature.of("c-b", "Premio Nacional de Periodismo 2027")], now)
        assert set(await service.states(["c-a", "c-b"])) == {"c-a", "c-b"}
        assert loads["count"] == 2
        index = await service.signature_index(now - timedelta(days=1))
        assert index.match(Signature.of("c-z", "Premio Nacional Periodismo 2027", source_id="s9")) == "c-b"

        updated = event_of("c-a", 2, _call("s1"))
        await service.record_many([ItemRecord("c-a", 2, "h2", "https://e.org/a", "s1", event=updated)], now)
        assert (await operator.states(["c-a"]))["c-a"].content_hash == "h2"
        assert (await service.states(["c-a"]))["c-a"].version == 2 and loads["count"] == 2
    finally:
        await client.drop_database(database)
        await client.close()
