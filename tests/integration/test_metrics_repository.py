"""The counts store against the real MongoDB-protocol server (FerretDB here): the conditional upsert
counts each (partition, offset) of a call once, without transactions."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_metrics.adapters.mongo import MongoCallCounts
from boi_metrics.domain.counts import RecordPosition
from tests.support.stack import StackEndpoints

INC = {"total": 1, "by_kind.search_result": 1, "by_day.2025-03-01": 1}


@pytest.fixture(scope="module")
async def store(stack: StackEndpoints) -> AsyncIterator[MongoCallCounts]:
    database = f"metrics_repo_{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    counts = MongoCallCounts(client[database]["call_counts"])
    await counts.ensure_indexes()
    yield counts
    await client.drop_database(database)
    await client.close()


def _call() -> str:
    return f"c-{uuid.uuid4().hex[:16]}"


async def test_the_same_position_applied_twice_counts_once(store: MongoCallCounts) -> None:
    call = _call()
    assert await store.apply(call, RecordPosition(2, 40), INC) is True
    assert await store.apply(call, RecordPosition(2, 40), INC) is False
    counts = await store.get(call)
    assert counts is not None
    assert (counts.total, counts.by_kind, counts.by_day) == (1, {"search_result": 1}, {"2025-03-01": 1})


async def test_first_position_applied_twice_on_a_new_call_counts_once(store: MongoCallCounts) -> None:
    # The very first record of a call takes the upsert's insert path; its replay must collide on _id.
    call = _call()
    assert await store.apply(call, RecordPosition(0, 0), INC) is True
    assert await store.apply(call, RecordPosition(0, 0), INC) is False
    counts = await store.get(call)
    assert counts is not None and counts.total == 1


async def test_older_positions_are_skipped_newer_and_other_partitions_counted(
    store: MongoCallCounts,
) -> None:
    call = _call()
    applied = [
        await store.apply(call, RecordPosition(p, o), INC)
        for p, o in [(1, 10), (1, 11), (1, 9), (1, 11), (3, 2), (3, 2), (1, 12)]
    ]
    assert applied == [True, True, False, False, True, False, True]
    doc = await store.collection.find_one({"_id": call})
    assert doc is not None
    assert doc["total"] == 4
    assert doc["offsets"] == {"1": 12, "3": 2}


async def test_counts_of_different_kinds_and_days(store: MongoCallCounts) -> None:
    call = _call()
    await store.apply(
        call, RecordPosition(0, 1), {"total": 1, "by_kind.call_view": 1, "by_day.2025-03-02": 1}
    )
    await store.apply(call, RecordPosition(0, 2), INC)
    counts = await store.get(call)
    assert counts is not None
    assert counts.by_kind == {"call_view": 1, "search_result": 1}
    assert counts.by_day == {"2025-03-01": 1, "2025-03-02": 1}


async def test_unknown_call_has_no_counts(store: MongoCallCounts) -> None:
    assert await store.get(_call()) is None


async def test_top_orders_by_total(store: MongoCallCounts) -> None:
    await store.collection.delete_many({})
    calls = {_call(): n for n in (3, 1, 5)}
    for call, n in calls.items():
        for offset in range(n):
            await store.apply(call, RecordPosition(4, offset), INC)
    ranked = await store.top(2)
    assert [(c.call_id, c.total) for c in ranked] == sorted(calls.items(), key=lambda kv: -kv[1])[:2]
