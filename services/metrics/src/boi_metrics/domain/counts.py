"""Per-call impression counts and the Kafka position that is their idempotency key."""

from dataclasses import dataclass, field


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
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
