"""A batch of impressions folded into one guarded write per rollup document, with the per-record rule.

The rule is the one `service.record_impression` applies record by record: a record counts in a document
only when its offset is above the document's watermark for its partition; a visitor's (call, day, kind)
counts for the record whose position its marker holds, and `visitors` +1 for the record that holds the
visitor-day marker. A batch reads each document's watermarks once, keeps the records above them (`live`),
sums their increments per document and writes each document once: the filter demands that the watermark
of every partition it takes records from is still below the first of them, and the update sets it to the
last. Applied in any split of the same records, the totals are those of one record at a time.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from boi_metrics.domain.counts import RecordPosition
from boi_metrics.domain.rollups import (
    CallDims,
    day_doc_id,
    day_of,
    increments,
    once_key,
    visitor_day_key,
)
from boi_shared.events import ImpressionRecorded

Watermarks = Mapping[str, Mapping[int, int]]
"""Per document id: the last applied offset of each partition (absent: none applied)."""


@dataclass(frozen=True)
class Item:
    """One impression of a batch and where it was read."""

    event: ImpressionRecorded
    position: RecordPosition

    # Each derived once per record (a batch asks several times).
    @cached_property
    def day(self) -> date:
        return day_of(self.event)

    @cached_property
    def call_day_id(self) -> str:
        return f"{self.event.call_id}|{self.day.isoformat()}"

    @property
    def day_id(self) -> str:
        return day_doc_id(self.day, self.position.partition)

    @cached_property
    def once(self) -> str | None:
        return once_key(self.event)

    @cached_property
    def visitor(self) -> str | None:
        return visitor_day_key(self.event)

    @property
    def keys(self) -> tuple[str, ...]:
        """The marker keys the record may claim: its visitor's (call, day, kind), its visitor's day."""
        return tuple(k for k in (self.once, self.visitor) if k is not None)


@dataclass(frozen=True)
class Marks:
    """The watermarks read for a batch, one mapping per rollup collection."""

    calls: Watermarks = field(default_factory=dict)
    call_days: Watermarks = field(default_factory=dict)
    days: Watermarks = field(default_factory=dict)


@dataclass
class DocWrite:
    """One rollup document's share of a batch: the guard, the counters, the watermarks it moves to."""

    doc_id: str
    fields: dict[str, Any] = field(default_factory=dict)
    increments: Counter[str] = field(default_factory=Counter)
    first: dict[int, int] = field(default_factory=dict)
    """Per partition, the smallest offset taken: the stored watermark must be below it."""
    last: dict[int, int] = field(default_factory=dict)
    """Per partition, the largest offset taken: the new watermark."""

    def take(self, position: RecordPosition, inc: Mapping[str, int]) -> None:
        p, o = position.partition, position.offset
        self.first[p] = min(self.first.get(p, o), o)
        self.last[p] = max(self.last.get(p, o), o)
        self.increments.update(inc)


@dataclass
class Plan:
    """The writes of a batch per collection, and how many records count in the per-call totals."""

    calls: list[DocWrite]
    call_days: list[DocWrite]
    days: list[DocWrite]
    counted: int = 0
    already: int = 0
    """Records at or below their call's watermark: applied before (a redelivery or replay)."""


def doc_ids(items: Iterable[Item]) -> tuple[set[str], set[str], set[str]]:
    """The ids of the documents a batch touches: calls, call-days, days."""
    items = list(items)
    return (
        {i.event.call_id for i in items},
        {i.call_day_id for i in items},
        {i.day_id for i in items},
    )


def is_new(marks: Watermarks, doc_id: str, position: RecordPosition) -> bool:
    applied = marks.get(doc_id, {}).get(position.partition)
    return applied is None or position.offset > applied


def live(items: Iterable[Item], marks: Marks) -> list[Item]:
    """The records that some document has not applied yet (the others were applied everywhere)."""
    return [
        i
        for i in items
        if is_new(marks.calls, i.event.call_id, i.position)
        or is_new(marks.call_days, i.call_day_id, i.position)
        or is_new(marks.days, i.day_id, i.position)
    ]


def claims(items: Sequence[Item]) -> dict[str, tuple[date, RecordPosition]]:
    """The marker each key of the batch would get: its earliest record (by partition and offset; the
    records of one (visitor, call, day, kind) share a partition, so that is its earliest offset)."""
    wanted: dict[str, tuple[date, RecordPosition]] = {}
    for item in items:
        pos = item.position
        for key in item.keys:
            held = wanted.get(key)
            if held is None or (pos.partition, pos.offset) < (held[1].partition, held[1].offset):
                wanted[key] = (item.day, pos)
    return wanted


def plan(
    items: Sequence[Item],
    marks: Marks,
    holders: Mapping[str, RecordPosition],
    dims: Mapping[str, CallDims],
) -> Plan:
    """The batch as one write per document. `holders`: the position each marker key is held by (claimed
    now or before); a record counts for its visitor only when it holds the key."""
    calls: dict[str, DocWrite] = {}
    call_days: dict[str, DocWrite] = {}
    days: dict[str, DocWrite] = {}
    counted = already = 0
    for item in items:
        event, pos = item.event, item.position
        once, visitor = item.once, item.visitor
        counts = once is None or holders.get(once) == pos
        inc = increments(event, dims.get(event.call_id, CallDims()))
        if is_new(marks.calls, event.call_id, pos):
            calls.setdefault(event.call_id, DocWrite(event.call_id)).take(pos, inc.call if counts else {})
            counted += counts
        else:
            already += 1
        day = item.day.isoformat()
        if is_new(marks.call_days, item.call_day_id, pos):
            doc = call_days.setdefault(
                item.call_day_id, DocWrite(item.call_day_id, {"call_id": event.call_id, "day": day})
            )
            doc.take(pos, inc.call_day if counts else {})
        if is_new(marks.days, item.day_id, pos):
            day_inc = dict(inc.day) if counts else {}
            if visitor is not None and holders.get(visitor) == pos:
                day_inc["visitors"] = 1
            days.setdefault(item.day_id, DocWrite(item.day_id, {"day": day})).take(pos, day_inc)
    return Plan(list(calls.values()), list(call_days.values()), list(days.values()), counted, already)
