"""What one impression adds to the rollups, the once-per-visitor keys, and the report built from them."""

from datetime import UTC, date, datetime, timedelta, timezone

from boi_metrics.domain.report import build_report, funnel_row
from boi_metrics.domain.rollups import CallDims, day_of, field_key, increments, once_key, visitor_day_key
from boi_shared.events import ImpressionRecorded

BOGOTA = timezone(timedelta(hours=-5))
VISITOR = "0123456789abcdef0123456789abcdef"


def _impression(kind: str, occurred_at: datetime, **fields: object) -> ImpressionRecorded:
    return ImpressionRecorded.model_validate(
        {"call_id": "c-unit", "kind": kind, "occurred_at": occurred_at, **fields}
    )


def test_an_impression_adds_one_per_call_day_and_dimension() -> None:
    event = _impression("search_result", datetime(2025, 3, 1, 12, 0, tzinfo=UTC), utm_campaign="Top5.w10")
    dims = CallDims(call_type="beca", sectors=("educación",), ods=(4, 5), funder="Unión Europea")
    inc = increments(event, dims)
    assert inc.call == {
        "total": 1,
        "by_kind.search_result": 1,
        "by_day.2025-03-01": 1,
        "by_channel.search_result.web": 1,
    }
    assert inc.call_day == {"n.search_result.web": 1, "utm.top5_w10.search_result": 1}
    assert inc.day == {
        "n.search_result.web": 1,
        "type.beca.search_result": 1,
        "funder.unión_europea.search_result": 1,
        "ods.4.search_result": 1,
        "ods.5.search_result": 1,
        "sector.educación.search_result": 1,
        "utm.top5_w10.search_result": 1,
    }


def test_field_keys_never_carry_path_operators() -> None:
    assert field_key("a.b$c") == "a_b_c"
    assert field_key("...") == "sin_dato"
    assert "." not in field_key("x" * 200) and len(field_key("x" * 200)) == 60


def test_days_are_utc_days() -> None:
    late_evening_in_bogota = datetime(2025, 3, 1, 20, 30, tzinfo=BOGOTA)
    assert day_of(_impression("call_view", late_evening_in_bogota)) == date(2025, 3, 2)


def test_once_keys_depend_on_visitor_call_day_and_kind() -> None:
    at = datetime(2025, 3, 1, 12, tzinfo=UTC)
    seen = _impression("search_result", at, visitor_id=VISITOR)
    assert once_key(seen) == once_key(
        _impression("search_result", at + timedelta(hours=3), visitor_id=VISITOR)
    )
    assert once_key(seen) != once_key(_impression("call_view", at, visitor_id=VISITOR))
    assert once_key(seen) != once_key(
        _impression("search_result", at + timedelta(days=1), visitor_id=VISITOR)
    )
    assert visitor_day_key(seen) == visitor_day_key(_impression("call_view", at, visitor_id=VISITOR))
    assert once_key(_impression("email", at)) is None and visitor_day_key(_impression("email", at)) is None


def test_funnel_rates_are_each_step_over_the_previous() -> None:
    row = funnel_row("web", {"impressions": 200, "views": 20, "clicks": 5, "subscriptions": 0})
    assert (row["ctr_view"], row["ctr_click"], row["ctr_subscription"]) == (0.1, 0.25, 0.0)
    assert funnel_row("x", {})["ctr_view"] is None


def test_report_sums_days_and_ranks_calls() -> None:
    days = [
        {
            "_id": "2025-03-01",
            "n": {"search_result": {"web": 10, "email": 5}, "call_view": {"web": 3}},
            "type": {"beca": {"search_result": 15, "call_view": 3}},
            "visitors": 7,
        },
        {"_id": "2025-03-03", "n": {"source_click": {"web": 2}, "applied": {"web": 1}}, "visitors": 2},
    ]
    call_days = [
        {"call_id": "a", "day": "2025-03-01", "n": {"search_result": {"web": 4}}},
        {"call_id": "b", "day": "2025-03-01", "n": {"search_result": {"web": 6, "email": 5}}},
        {"call_id": "a", "day": "2025-03-03", "n": {"source_click": {"web": 2}}},
    ]
    r = build_report(date(2025, 3, 1), date(2025, 3, 3), days, call_days, {"b": {"title": "Beca B"}}, 4)
    assert [row["key"] for row in r.series] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert r.kpis["impressions"] == 15 and r.kpis["views"] == 3 and r.kpis["clicks"] == 2
    assert r.kpis["visitors"] == 9 and r.kpis["applied"] == 1 and r.kpis["calls_published"] == 4
    assert [(c["key"], c["title"], c["impressions"]) for c in r.top_calls] == [
        ("b", "Beca B", 11),
        ("a", "a", 4),
    ]
    assert {row["key"]: row["impressions"] for row in r.breakdowns["channel"]} == {"web": 10, "email": 5}
    assert r.breakdowns["type"][0]["ctr_view"] == 0.2
