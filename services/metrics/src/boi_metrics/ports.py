"""Ports of the metrics use cases: the rollup stores, the directory of calls and the outcomes ledger."""

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from boi_metrics.domain.batch import Marks, Plan
from boi_metrics.domain.counts import CallCounts, RecordPosition
from boi_metrics.domain.rollups import CallDims
from boi_shared.events import CallPublished


class CallCountsStore(Protocol):
    """Per-call counters, updated idempotently by the Kafka position of each impression."""

    async def apply(self, call_id: str, position: RecordPosition, increments: dict[str, int]) -> bool:
        """Add `increments` unless `position` was already applied to this call; True when applied.
        Empty increments only move the call's watermark past `position`."""
        ...

    async def get(self, call_id: str) -> CallCounts | None:
        """The counts of one call, or None when it has no impression."""
        ...

    async def top(self, limit: int) -> list[CallCounts]:
        """The calls with the most impressions, most first (ties by call id)."""
        ...


class RollupStore(Protocol):
    """Rollups per call and day and per day, and the once-per-visitor markers."""

    async def claim(self, key: str, day: date, position: RecordPosition) -> bool:
        """True when the record at `position` is the one that counts for `key`."""
        ...

    async def apply_call_day(
        self, call_id: str, day: date, position: RecordPosition, increments: dict[str, int]
    ) -> bool: ...

    async def apply_day(self, day: date, position: RecordPosition, increments: dict[str, int]) -> bool: ...

    async def forget_before(self, day: date) -> int:
        """Delete the once-per-visitor markers of days before `day`."""
        ...

    async def call_days_between(self, first: date, last: date) -> list[dict[str, Any]]: ...

    async def days_between(self, first: date, last: date) -> list[dict[str, Any]]: ...


class BatchRollups(Protocol):
    """The three rollups and the markers, a batch at a time (`domain/batch.py` plans the writes)."""

    async def watermarks(self, calls: set[str], call_days: set[str], days: set[str]) -> Marks:
        """The per-partition watermarks of these documents (absent: none yet)."""
        ...

    async def claim(self, wanted: Mapping[str, tuple[date, RecordPosition]]) -> dict[str, RecordPosition]:
        """Claim each key for the record at its position; the position each key is actually held by."""
        ...

    async def write(self, batch: Plan) -> bool:
        """Apply the planned guarded upserts; False when a document had moved (read and plan again)."""
        ...


class CallDirectory(Protocol):
    """The calls as last published, for breakdowns by type, sector, ODS and funder."""

    async def record(self, event: CallPublished) -> bool:
        """Keep a change of a call; False when a newer one is stored."""
        ...

    async def dims(self, call_id: str) -> CallDims: ...

    async def dims_many(self, call_ids: set[str]) -> dict[str, CallDims]:
        """The dimensions of several calls (cached; one query for those not cached)."""
        ...

    async def all(self) -> dict[str, dict[str, Any]]: ...

    async def published_between(self, first: datetime, last: datetime) -> list[dict[str, Any]]: ...


class OutcomeLedger(Protocol):
    """Outcomes operators record per call (aggregates; no personal data)."""

    async def put(self, call_id: str, outcome: dict[str, Any]) -> None: ...

    async def all(self) -> dict[str, dict[str, Any]]: ...
