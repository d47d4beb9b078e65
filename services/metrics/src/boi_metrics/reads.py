"""Read use cases: the dashboard's report over a range, the public open data, one call's funnel."""

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from boi_metrics.domain.report import STEPS, Report, build_report, funnel_row, step_of
from boi_metrics.ports import CallDirectory, OutcomeLedger, RollupStore
from boi_metrics.service import Stores

OUTCOME_FIELDS = ("applications", "selected", "amount_cop")


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def report(stores: Stores, first: date, last: date, top: int = 10) -> Report:
    # Independent reads, at once: each is a scan on FerretDB.
    days, call_days, calls, published = await asyncio.gather(
        stores.rollups.days_between(first, last),
        stores.rollups.call_days_between(first, last),
        stores.calls.all(),
        stores.calls.published_between(_start(first), _start(last + timedelta(days=1))),
    )
    return build_report(first, last, days, call_days, calls, len(published), top=top)


async def call_funnel(rollups: RollupStore, call_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """Impressions → views → clicks → subscriptions of one call, per channel, with CTRs."""
    per_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for doc in await rollups.call_days_between(first, last):
        if doc.get("call_id") != call_id:
            continue
        for kind, channels in (doc.get("n") or {}).items():
            step = step_of(kind)
            for channel, n in channels.items():
                if step:
                    per_channel[channel][step] += int(n)
    return [funnel_row(channel, steps) for channel, steps in sorted(per_channel.items())]


async def open_data(
    rollups: RollupStore, calls: CallDirectory, outcomes: OutcomeLedger, first: date, last: date
) -> list[dict[str, Any]]:
    """Aggregates per month and call type, and per month and ODS: calls published, reach, citizens'
    reports and the outcomes operators know. No call, visitor or person appears in it."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}

    def row(month: str, dimension: str, value: str) -> dict[str, Any]:
        key = (month, dimension, value)
        if key not in rows:
            rows[key] = {"month": month, "dimension": dimension, "value": value, "calls_published": 0}
            rows[key].update({s: 0 for s in STEPS})
            rows[key].update({"applied_reported": 0, "selected_reported": 0})
            rows[key].update({f"{f}_known": 0 for f in OUTCOME_FIELDS})
        return rows[key]

    known = await outcomes.all()
    for doc in await calls.published_between(_start(first), _start(last + timedelta(days=1))):
        month = doc["published_at"].strftime("%Y-%m")
        for target in _targets(doc):
            r = row(month, *target)
            r["calls_published"] += 1
            for f in OUTCOME_FIELDS:
                r[f"{f}_known"] += (known.get(doc["_id"]) or {}).get(f) or 0
    for day in await rollups.days_between(first, last):
        month = day["_id"][:7]
        for dimension in ("type", "ods"):
            for value, kinds in (day.get(dimension) or {}).items():
                r = row(month, dimension, value)
                for kind, n in kinds.items():
                    step = step_of(kind)
                    if step:
                        r[step] += int(n)
                    elif kind in ("applied", "selected"):
                        r[f"{kind}_reported"] += int(n)
    return sorted(rows.values(), key=lambda r: (r["month"], r["dimension"], str(r["value"])))


def _targets(doc: dict[str, Any]) -> list[tuple[str, str]]:
    targets = [("type", doc.get("call_type") or "sin_dato")]
    targets += [("ods", str(n)) for n in doc.get("ods") or ()]
    return targets
