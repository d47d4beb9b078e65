"""Per-call impression counts and the increments one impression contributes to them."""

from dataclasses import dataclass, field
from datetime import UTC

from boi_shared.events import ImpressionRecorded


@dataclass(frozen=True)
class RecordPosition:
    """Where an impression was read: a Kafka partition and offset of `metrics.impressions.v1`.

    It is the idempotency key of the counts: within one partition offsets only grow, and events of one
    call are processed in offset order, so an offset at or below the call's watermark was counted.
    """

    partition: int
    offset: int


@dataclass(frozen=True)
class CallCounts:
    """How many times a call was shown: in total, per kind of exposure, per UTC day."""

    call_id: str
    total: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_day: dict[str, int] = field(default_factory=dict)


def day_of(event: ImpressionRecorded) -> str:
    """The UTC day (`YYYY-MM-DD`) the impression happened on."""
    return event.occurred_at.astimezone(UTC).date().isoformat()


def increments(event: ImpressionRecorded) -> dict[str, int]:
    """Counters one impression adds to, as dotted field paths of the counts document."""
    return {"total": 1, f"by_kind.{event.kind}": 1, f"by_day.{day_of(event)}": 1}
