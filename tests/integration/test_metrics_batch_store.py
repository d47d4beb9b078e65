"""The batch store against the real MongoDB-protocol server (FerretDB 1.24 here): watermarks read in one
query per collection, markers claimed with one insert_many (existing ones found again), guarded bulk
upserts that count a batch once and report a document moved under them (on FerretDB, a bulk write that
hits a duplicate key cannot be parsed by PyMongo: it must still come back as a conflict, not a crash)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_metrics.adapters.batch import MongoBatchRollups
from boi_metrics.adapters.calls import MongoCallDirectory
from boi_metrics.adapters.mongo import MongoCallCounts
from boi_metrics.adapters.rollups import MongoRollups
from boi_metrics.domain.batch import Item, claims, doc_ids, plan
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.service import Stores, record_impressions
from boi_shared.events import ImpressionRecorded
from tests.support.stack import StackEndpoints

DAY = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
async def db(stack: StackEndpoints) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    name = f"metrics_batch_{uuid.uuid4().hex[:8]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


def _stores(db: Any) -> Stores:
    return Stores(
        counts=MongoCallCounts(db["call_counts"]),
        rollups=MongoRollups(db),
        calls=MongoCallDirectory(db["calls"]),
        batches=MongoBatchRollups(db),
    )


def _item(call: str, partition: int, offset: int, visitor: str | None = None) -> Item:
    event = ImpressionRecorded.model_validate(
        {"call_id": call, "kind": "search_result", "visitor_id": visitor, "occurred_at": DAY}
    )
    return Item(event, RecordPosition(partition, offset))


async def test_a_batch_counts_once_however_often_it_is_applied(db: Any) -> None:
    visitor = uuid.uuid4().hex
    items = [_item("c-a", 0, o, visitor if o < 3 else None) for o in range(6)]
    items += [_item("c-b", 1, o, visitor) for o in range(4)]
    assert await record_impressions(items, _stores(db)) == 1 + 3 + 1  # the visitor once per call
    assert await record_impressions(items, _stores(db)) == 0
    assert await record_impressions(items[2:7], _stores(db)) == 0
    counts = {d["_id"]: (d["total"], d["offsets"]) async for d in db["call_counts"].find({})}
    assert counts == {"c-a": (4, {"0": 5}), "c-b": (1, {"1": 3})}
    # One document per day and partition, each written by the partition's owner only
    parts = {d["_id"]: (d.get("visitors", 0), d["offsets"]) async for d in db["days"].find({})}
    assert parts == {"2025-03-01|p0": (1, {"0": 5}), "2025-03-01|p1": (0, {"1": 3})}
    [merged] = await MongoRollups(db).days_between(date(2025, 3, 1), date(2025, 3, 1))
    assert merged["_id"] == "2025-03-01" and merged["visitors"] == 1
    assert merged["n"]["search_result"]["web"] == 5
    assert await db["seen"].count_documents({}) == 3  # (visitor, c-a), (visitor, c-b), (visitor, day)


async def test_existing_markers_are_found_again(db: Any) -> None:
    store = MongoBatchRollups(db)
    visitor = uuid.uuid4().hex
    first = [_item("c-a", 0, 7, visitor)]
    held = await store.claim(claims(first))
    assert set(held.values()) == {RecordPosition(0, 7)}
    # A later batch: the same record redelivered and a new one of the same visitor on another call.
    later = [*first, _item("c-b", 1, 2, visitor)]
    again = await store.claim(claims(later))
    assert len(again) == 3 and set(again.values()) == {RecordPosition(0, 7), RecordPosition(1, 2)}
    assert await db["seen"].count_documents({}) == 3


async def test_a_document_moved_under_a_bulk_write_is_a_conflict_not_a_crash(db: Any) -> None:
    store = MongoBatchRollups(db)
    items = [_item("c-a", 0, 10), _item("c-b", 0, 11)]
    marks = await store.watermarks(*doc_ids(items))
    # Another writer creates c-a (and moves partition 0 past this batch) between the read and the write.
    await db["call_counts"].insert_one({"_id": "c-a", "total": 1, "offsets": {"0": 10}})
    assert await store.write(plan(items, marks, {}, {})) is False
    # Read again and plan again: c-a's record is behind its watermark, the rest is written once.
    assert await store.write(plan(items, await store.watermarks(*doc_ids(items)), {}, {})) is True
    totals = {d["_id"]: d["total"] async for d in db["call_counts"].find({})}
    assert totals == {"c-a": 1, "c-b": 1}


async def test_call_dims_come_in_one_query_and_unknown_calls_are_not_remembered(db: Any) -> None:
    calls = MongoCallDirectory(db["calls"])
    await db["calls"].insert_one({"_id": "c-a", "call_type": "beca", "ods": [4], "sectors": ["arte"]})
    dims = await calls.dims_many({"c-a", "c-zzz"})
    assert dims["c-a"].call_type == "beca" and dims["c-a"].ods == (4,)
    assert dims["c-zzz"].call_type == "sin_dato"
    await db["calls"].insert_one({"_id": "c-zzz", "call_type": "premio"})
    assert (await calls.dims("c-zzz")).call_type == "premio"


async def test_a_batch_touching_hundreds_of_existing_documents_is_written(db: Any) -> None:
    # FerretDB 1.24 never answered one update command of 100+ statements on existing documents.
    store = MongoBatchRollups(db)
    for offset in (1, 2):
        items = [_item(f"c-{n:03d}", 0, offset * 1000 + n) for n in range(250)]
        async with asyncio.timeout(120):
            marks = await store.watermarks(*doc_ids(items))
            assert await store.write(plan(items, marks, {}, {})) is True
    totals = [d["total"] async for d in db["call_counts"].find({})]
    assert totals == [2] * 250
