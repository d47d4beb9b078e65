"""What one impression adds to the rollups, and the keys that make each visitor count once.

Rollup documents (field paths below are dotted MongoDB paths; every token is made field-safe):
- per call, `call_counts`: `total`, `by_kind.<kind>`, `by_day.<day>`, `by_channel.<kind>.<channel>`;
- per call and UTC day, `call_days`: `n.<kind>.<channel>`, `utm.<campaign>.<kind>`;
- per UTC day and partition of the topic, `days` (`_id` `<day>|p<partition>`, see `day_doc_id`; read
  merged per day): `n.<kind>.<channel>`, `type.<call type>.<kind>`, `ods.<n>.<kind>`,
  `sector.<sector>.<kind>`, `funder.<funder>.<kind>`, `utm.<campaign>.<kind>` and `visitors`.
A visitor counts once per (call, day, kind), and once per day in `visitors`.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date
from typing import Any

from boi_shared.events import ImpressionRecorded

UNKNOWN = "sin_dato"
_UNSAFE = re.compile(r"[^\w\-]+")


def field_key(value: object, max_length: int = 60) -> str:
    """A value as one field name: no dots or dollars (MongoDB paths), bounded, never empty."""
    text = _UNSAFE.sub("_", str(value).strip().lower())[:max_length].strip("_")
    return text or UNKNOWN


@dataclass(frozen=True)
class CallDims:
    """What the reach of a call is broken down by, as last published."""

    call_type: str = UNKNOWN
    sectors: tuple[str, ...] = ()
    ods: tuple[int, ...] = ()
    funder: str = UNKNOWN
    title: str = ""


@dataclass(frozen=True)
class Increments:
    """Counters one impression adds to, per document."""

    call: dict[str, int] = field(default_factory=dict)
    call_day: dict[str, int] = field(default_factory=dict)
    day: dict[str, int] = field(default_factory=dict)


def day_of(event: ImpressionRecorded) -> date:
    return event.occurred_at.astimezone(UTC).date()


def increments(event: ImpressionRecorded, dims: CallDims) -> Increments:
    kind, channel, day = event.kind, field_key(event.channel, 30), day_of(event).isoformat()
    utm = event.utm_campaign or event.campaign  # `campaign`: a social post marked as posted
    campaign = {f"utm.{field_key(utm)}.{kind}": 1} if utm else {}
    per_day = {
        f"n.{kind}.{channel}": 1,
        f"type.{field_key(dims.call_type)}.{kind}": 1,
        f"funder.{field_key(dims.funder)}.{kind}": 1,
        **{f"ods.{n}.{kind}": 1 for n in dims.ods},
        **{f"sector.{field_key(s)}.{kind}": 1 for s in dims.sectors},
        **campaign,
    }
    return Increments(
        call={"total": 1, f"by_kind.{kind}": 1, f"by_day.{day}": 1, f"by_channel.{kind}.{channel}": 1},
        call_day={f"n.{kind}.{channel}": 1, **campaign},
        day=per_day,
    )


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def once_key(event: ImpressionRecorded) -> str | None:
    """The key under which a visitor's (call, day, kind) counts once; None without a visitor."""
    if event.visitor_id is None:
        return None
    return _key("once", event.visitor_id, event.call_id, day_of(event).isoformat(), event.kind)


def visitor_day_key(event: ImpressionRecorded) -> str | None:
    """The key under which a visitor counts once per day; None without a visitor."""
    if event.visitor_id is None:
        return None
    return _key("visitor", event.visitor_id, day_of(event).isoformat())


def day_doc_id(day: date, partition: int) -> str:
    """The `days` document of one day and one partition of metrics.impressions.v1. Each has one writer,
    the consumer that owns the partition: FerretDB 1.24 applies an update by reading the document and
    writing it back whole, so two processes adding to one document at once lose one of the additions
    (and its watermark, which a replay then counts again)."""
    return f"{day.isoformat()}|p{partition}"


def merge_day_parts(day: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One day's rollup from its per-partition documents: every count summed, at any depth."""
    merged: dict[str, Any] = {"_id": day}
    for part in parts:
        _add(merged, {k: v for k, v in part.items() if k not in ("_id", "day")})
    return merged


def _add(into: dict[str, Any], counts: dict[str, Any]) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            into[key] = into.get(key, 0) + value
