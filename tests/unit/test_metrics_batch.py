"""A batch of impressions folded into one guarded write per document (`domain/batch.py`, and the use case
`service.record_impressions` on in-memory ports): the same counts as one record at a time, whatever the
split of the stream into batches, under redelivery, replay (with or without the markers) and a crash
between two bulk writes."""

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest

from boi_metrics.domain.batch import Item, Marks, claims, live, plan
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.domain.rollups import CallDims, day_doc_id, merge_day_parts, once_key, visitor_day_key
from boi_metrics.service import Stores, record_impressions
from boi_shared.events import ImpressionRecorded
from tests.unit.metrics_fakes import FakeBatchRollups, FakeCallDirectory

DAY = datetime(2025, 3, 1, 9, tzinfo=UTC)
KINDS = ("search_result", "call_view", "source_click", "email")
DIMS = {"c-a": CallDims(call_type="beca", ods=(4,)), "c-b": CallDims(call_type="premio", sectors=("arte",))}


def _event(
    call: str, kind: str = "search_result", visitor: str | None = None, **more: Any
) -> ImpressionRecorded:
    return ImpressionRecorded.model_validate(
        {"call_id": call, "kind": kind, "visitor_id": visitor, "occurred_at": DAY, **more}
    )


def _stream(n: int, seed: int = 13) -> list[Item]:
    """n impressions of 9 calls over 3 partitions (a call's records share one, as keyed by call id), 6
    repeat visitors, two days; offsets grow per partition; partitions interleave as a poll returns them."""
    rng = random.Random(seed)
    calls = ["c-a", "c-b"] + [f"c-{i}" for i in range(7)]
    visitors = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(6)]
    offsets = Counter[int]()
    items = []
    for _ in range(n):
        call, kind = rng.choice(calls), rng.choice(KINDS)
        partition = calls.index(call) % 3
        event = _event(
            call,
            kind,
            None if kind == "email" else rng.choice(visitors),
            channel="email" if kind == "email" else "web",
            occurred_at=DAY + timedelta(hours=rng.randrange(40)),
        )
        items.append(Item(event, RecordPosition(partition, 100 + offsets[partition])))
        offsets[partition] += 1
    return items


def _expected(items: list[Item]) -> tuple[Counter[str], Counter[str]]:
    """An independent count: per call (a visitor once per call, day and kind); visitors per day."""
    totals, visitors, once, seen = Counter[str](), Counter[str](), set(), set()
    for i in items:
        day = i.day.isoformat()
        if i.event.visitor_id:
            if (i.event.visitor_id, day) not in seen:
                seen.add((i.event.visitor_id, day))
                visitors[day] += 1
            key = (i.event.visitor_id, i.event.call_id, day, i.event.kind)
            if key in once:
                continue
            once.add(key)
        totals[i.event.call_id] += 1
    return totals, visitors


def _stores(rollups: FakeBatchRollups) -> Stores:
    unused = cast(Any, None)
    return Stores(counts=unused, rollups=unused, calls=FakeCallDirectory(DIMS), batches=rollups)


async def _consume(items: list[Item], rollups: FakeBatchRollups, cuts: list[int]) -> None:
    """The records in batches ending at `cuts` (then the rest), as polls would hand them over."""
    start = 0
    for end in [*cuts, len(items)]:
        await record_impressions(items[start:end], _stores(rollups))
        start = end


def _merged(counters: dict[str, Any]) -> dict[str, Any]:
    """The documents with each day's per-partition documents summed into one, as the dashboard reads them:
    which partition's document counts a visitor depends on the batch that claimed it first."""
    days: dict[str, Counter[str]] = {}
    for doc_id, fields in counters["days"].items():
        days.setdefault(doc_id.partition("|")[0], Counter()).update(fields)
    return {**counters, "days": {d: {k: v for k, v in c.items() if v} for d, c in days.items()}}


def _check(rollups: FakeBatchRollups, items: list[Item]) -> None:
    totals, visitors = _expected(items)
    calls = rollups.counters()["calls"]
    assert {c: n["total"] for c, n in calls.items() if n.get("total")} == dict(totals)
    per_day: Counter[str] = Counter()
    for doc_id, n in rollups.counters()["days"].items():  # one document per day and partition
        per_day[doc_id.partition("|")[0]] += n.get("visitors", 0)
    assert {d: n for d, n in per_day.items() if n} == {d: n for d, n in visitors.items() if n}


async def test_one_batch_counts_as_one_record_at_a_time() -> None:
    items = _stream(300)
    rollups = FakeBatchRollups()
    await _consume(items, rollups, [])
    _check(rollups, items)
    assert rollups.writes == 1


@pytest.mark.parametrize("cuts", [[1], [7, 8, 150], list(range(0, 300, 13)), list(range(1, 300))])
async def test_any_split_into_batches_gives_identical_documents(cuts: list[int]) -> None:
    items = _stream(300)
    whole, split = FakeBatchRollups(), FakeBatchRollups()
    await _consume(items, whole, [])
    await _consume(items, split, cuts)
    _check(split, items)
    assert _merged(split.counters()) == _merged(whole.counters())


@pytest.mark.parametrize("forget_markers", [False, True])
async def test_a_replay_split_at_other_boundaries_changes_nothing(forget_markers: bool) -> None:
    items = _stream(300)
    rollups = FakeBatchRollups()
    await _consume(items, rollups, [40, 41, 200])
    first = rollups.counters()
    if forget_markers:  # as after 48 h: the watermarks alone must decide
        rollups.seen.clear()
    await _consume(items, rollups, [1, 99, 250])  # a redelivery, then the whole topic from offset 0
    await _consume(items, rollups, [])
    assert rollups.counters() == first


@pytest.mark.parametrize("crash_after", [1, 2])
async def test_a_crash_between_bulk_writes_then_redelivery_counts_once(crash_after: int) -> None:
    items = _stream(300)
    rollups, reference = FakeBatchRollups(), FakeBatchRollups()
    await _consume(items, reference, [120])
    await _consume(items[:120], rollups, [])
    rollups.crash_after = crash_after  # calls written (and call-days when 2), the rest not
    with pytest.raises(ConnectionError):
        await record_impressions(items[120:], _stores(rollups))
    # Redelivered from the last commit, split differently: each record decided as the first time,
    # its markers found again.
    await _consume(items[120:], rollups, [130, 131])
    assert rollups.counters() == reference.counters()
    _check(rollups, items)


async def test_a_lost_race_reads_the_watermarks_again() -> None:
    items = _stream(50)
    rollups = FakeBatchRollups()
    rollups.moved = 2
    await record_impressions(items, _stores(rollups))
    assert rollups.writes == 3
    _check(rollups, items)


async def test_a_batch_that_keeps_losing_races_fails() -> None:
    rollups = FakeBatchRollups()
    rollups.moved = 99
    with pytest.raises(RuntimeError, match="lost 5 races"):
        await record_impressions(_stream(5), _stores(rollups))


def test_records_at_or_below_a_documents_watermark_are_not_live() -> None:
    a = Item(_event("c-a"), RecordPosition(2, 10))
    b = Item(_event("c-a"), RecordPosition(2, 11))
    other = Item(_event("c-a"), RecordPosition(4, 3))
    marks = Marks(
        calls={"c-a": {2: 10}}, call_days={"c-a|2025-03-01": {2: 10}}, days={"2025-03-01|p2": {2: 11}}
    )
    assert live([a, b, other], marks) == [b, other]
    written = plan([a, b, other], marks, {}, {})
    assert [(w.doc_id, w.first, w.last, w.increments["total"]) for w in written.calls] == [
        ("c-a", {2: 11, 4: 3}, {2: 11, 4: 3}, 2)
    ]
    assert [(w.first, w.last) for w in written.days] == [({4: 3}, {4: 3})]  # 11 was applied there
    assert (written.counted, written.already) == (2, 1)


def test_increments_are_summed_per_document_with_the_calls_dimensions() -> None:
    items = [
        Item(_event("c-a", "search_result", utm_campaign="Top5"), RecordPosition(0, 1)),
        Item(_event("c-a", "search_result"), RecordPosition(0, 2)),
        Item(_event("c-b", "call_view"), RecordPosition(1, 7)),
    ]
    written = plan(items, Marks(), {}, DIMS)
    calls = {w.doc_id: dict(w.increments) for w in written.calls}
    assert calls["c-a"] == {
        "total": 2,
        "by_kind.search_result": 2,
        "by_day.2025-03-01": 2,
        "by_channel.search_result.web": 2,
    }
    days = {w.doc_id: w for w in written.days}  # one document per day and partition, one writer each
    assert sorted(days) == ["2025-03-01|p0", "2025-03-01|p1"]
    p0, p1 = days["2025-03-01|p0"], days["2025-03-01|p1"]
    assert (p0.first, p0.last, p1.first, p1.last) == ({0: 1}, {0: 2}, {1: 7}, {1: 7})
    assert p0.increments["type.beca.search_result"] == 2 and p0.increments["ods.4.search_result"] == 2
    assert p1.increments["sector.arte.call_view"] == 1 and p0.increments["utm.top5.search_result"] == 1
    assert p0.fields == {"day": "2025-03-01"}
    assert {w.doc_id: w.fields for w in written.call_days} == {
        "c-a|2025-03-01": {"call_id": "c-a", "day": "2025-03-01"},
        "c-b|2025-03-01": {"call_id": "c-b", "day": "2025-03-01"},
    }


def test_a_visitor_counts_once_for_the_record_holding_the_marker() -> None:
    visitor = "0123456789abcdef0123456789abcdef"
    first = Item(_event("c-a", visitor=visitor), RecordPosition(0, 5))
    again = Item(_event("c-a", visitor=visitor), RecordPosition(0, 6))
    elsewhere = Item(_event("c-b", visitor=visitor), RecordPosition(1, 2))
    wanted = claims([again, elsewhere, first])
    once = once_key(first.event)
    assert once is not None and wanted[once][1] == RecordPosition(0, 5)  # the earliest offset
    day_key = visitor_day_key(first.event)
    assert day_key is not None and wanted[day_key][1] == RecordPosition(0, 5)
    holders = {k: pos for k, (_, pos) in wanted.items()}
    written = plan([first, again, elsewhere], Marks(), holders, {})
    assert {w.doc_id: w.increments["total"] for w in written.calls} == {"c-a": 1, "c-b": 1}
    assert written.days[0].increments["visitors"] == 1
    # A redelivery of `again` alone, the marker held by `first`: moves the watermark, counts nothing.
    alone = plan([again], Marks(), holders, {})
    assert alone.calls[0].increments["total"] == 0 and alone.calls[0].last == {0: 6}


def test_a_day_read_back_sums_its_partitions_documents() -> None:
    parts = [
        {"_id": "2025-03-01|p0", "day": "2025-03-01", "visitors": 2, "n": {"call_view": {"web": 3}}},
        {
            "_id": "2025-03-01|p4",
            "day": "2025-03-01",
            "visitors": 1,
            "n": {"call_view": {"web": 1, "api": 2}},
        },
        {"_id": "2025-03-01", "type": {"beca": {"call_view": 5}}},  # a day written before the split
    ]
    assert merge_day_parts("2025-03-01", parts) == {
        "_id": "2025-03-01",
        "visitors": 3,
        "n": {"call_view": {"web": 4, "api": 2}},
        "type": {"beca": {"call_view": 5}},
    }
    assert day_doc_id(date(2025, 3, 1), 4) == "2025-03-01|p4"
