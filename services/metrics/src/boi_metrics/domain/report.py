"""The dashboard's figures, computed from the rollups of a range of days (pure; no I/O).

Impressions are exposures (a search result seen, an email, a webhook delivery, a social post); views,
clicks to the official source, shares, subscriptions and citizens' own reports are the funnel's later
steps. A click-through rate is the next step over the previous one (None when the previous is 0).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

EXPOSURES = ("search_result", "email", "webhook", "social")
STEPS = ("impressions", "views", "clicks", "subscriptions")
STEP_KINDS = {"views": ("call_view",), "clicks": ("source_click",), "subscriptions": ("subscribe",)}
DIMENSIONS = ("type", "ods", "sector", "funder", "channel", "utm")
Row = dict[str, Any]


def step_of(kind: str) -> str | None:
    if kind in EXPOSURES:
        return "impressions"
    return next((step for step, kinds in STEP_KINDS.items() if kind in kinds), None)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def funnel_row(key: str, steps: Mapping[str, int]) -> Row:
    row: Row = {"key": key, **{s: int(steps.get(s, 0)) for s in STEPS}}
    row["ctr_view"] = rate(row["views"], row["impressions"])
    row["ctr_click"] = rate(row["clicks"], row["views"])
    row["ctr_subscription"] = rate(row["subscriptions"], row["clicks"])
    return row


@dataclass
class Report:
    first: date
    last: date
    kpis: dict[str, Any] = field(default_factory=dict)
    series: list[Row] = field(default_factory=list)
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    top_calls: list[Row] = field(default_factory=list)
    funnel_by_channel: list[Row] = field(default_factory=list)


def days_in(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _kind_counts(doc: Mapping[str, Any]) -> dict[str, int]:
    return {kind: sum(int(n) for n in channels.values()) for kind, channels in (doc.get("n") or {}).items()}


def _steps(kinds: Mapping[str, int]) -> dict[str, int]:
    steps: dict[str, int] = defaultdict(int)
    for kind, n in kinds.items():
        step = step_of(kind)
        if step:
            steps[step] += n
    return steps


def _breakdown(docs: Iterable[Mapping[str, Any]], dimension: str) -> list[Row]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in docs:
        if dimension == "channel":
            for kind, channels in (doc.get("n") or {}).items():
                for channel, n in channels.items():
                    totals[channel][kind] += int(n)
        else:
            for value, kinds in (doc.get(dimension) or {}).items():
                for kind, n in kinds.items():
                    totals[value][kind] += int(n)
    rows = [funnel_row(value, _steps(kinds)) for value, kinds in totals.items()]
    return sorted(rows, key=lambda r: (-r["impressions"], -r["views"], r["key"]))


def build_report(
    first: date,
    last: date,
    days: Sequence[Mapping[str, Any]],
    call_days: Sequence[Mapping[str, Any]],
    calls: Mapping[str, Mapping[str, Any]],
    published: int,
    top: int = 10,
) -> Report:
    by_day = {d["_id"]: d for d in days}
    series = []
    for day in days_in(first, last):
        doc = by_day.get(day.isoformat(), {})
        row = funnel_row(day.isoformat(), _steps(_kind_counts(doc)))
        row["visitors"] = int(doc.get("visitors", 0))
        series.append(row)
    totals = funnel_row("total", {s: sum(r[s] for r in series) for s in STEPS})
    kinds: dict[str, int] = defaultdict(int)
    for doc in days:
        for kind, n in _kind_counts(doc).items():
            kinds[kind] += n
    kpis = {
        "calls_published": published,
        **{k: v for k, v in totals.items() if k != "key"},
        "visitors": sum(r["visitors"] for r in series),
        "shares": kinds.get("share", 0),
        "applied": kinds.get("applied", 0),
        "selected": kinds.get("selected", 0),
    }
    per_call: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in call_days:
        for kind, n in _kind_counts(doc).items():
            per_call[doc["call_id"]][kind] += n
    ranked = [
        {**funnel_row(cid, _steps(k)), "title": (calls.get(cid) or {}).get("title") or cid}
        for cid, k in per_call.items()
    ]
    ranked.sort(key=lambda r: (-r["impressions"], -r["views"], r["key"]))
    report = Report(first, last, kpis=kpis, series=series, top_calls=ranked[:top])
    report.breakdowns = {d: _breakdown(days, d) for d in DIMENSIONS}
    report.funnel_by_channel = report.breakdowns["channel"]
    return report
