"""What one impression adds to a call's counts."""

from datetime import UTC, datetime, timedelta, timezone

from boi_metrics.domain.counts import day_of, increments
from boi_shared.events import ImpressionRecorded

BOGOTA = timezone(timedelta(hours=-5))


def _impression(kind: str, occurred_at: datetime) -> ImpressionRecorded:
    return ImpressionRecorded.model_validate({"call_id": "c-unit", "kind": kind, "occurred_at": occurred_at})


def test_an_impression_adds_one_to_total_kind_and_day() -> None:
    event = _impression("search_result", datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    assert increments(event) == {"total": 1, "by_kind.search_result": 1, "by_day.2025-03-01": 1}


def test_days_are_utc_days() -> None:
    late_evening_in_bogota = datetime(2025, 3, 1, 20, 30, tzinfo=BOGOTA)
    assert day_of(_impression("call_view", late_evening_in_bogota)) == "2025-03-02"
