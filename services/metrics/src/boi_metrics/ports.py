"""Ports of the metrics use cases: the store of per-call counts."""

from typing import Protocol

from boi_metrics.domain.counts import CallCounts, RecordPosition


class CallCountsStore(Protocol):
    """Per-call counters, updated idempotently by the Kafka position of each impression."""

    async def apply(self, call_id: str, position: RecordPosition, increments: dict[str, int]) -> bool:
        """Add `increments` unless `position` was already applied to this call; True when applied."""
        ...

    async def get(self, call_id: str) -> CallCounts | None:
        """The counts of one call, or None when it has no impression."""
        ...

    async def top(self, limit: int) -> list[CallCounts]:
        """The calls with the most impressions, most first (ties by call id)."""
        ...
