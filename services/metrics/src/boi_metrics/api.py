"""HTTP API of the metrics service: counts and funnel of one call, the most seen calls, the report of a
range of days (the dashboard's figures as JSON). Aggregates only."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from boi_metrics.domain.counts import CallCounts
from boi_metrics.reads import call_funnel, report
from boi_metrics.service import Stores
from boi_metrics.web.ranges import DayRange
from boi_shared.ids import CALL_ID_PATTERN


class CallCountsOut(BaseModel):
    """Impressions of one call."""

    call_id: str = Field(description="Stable id of the call")
    total: int = Field(description="Every impression of the call")
    by_kind: dict[str, int] = Field(description="Impressions per kind (search_result, call_view, …)")
    by_day: dict[str, int] = Field(description="Impressions per UTC day, YYYY-MM-DD")
    by_channel: dict[str, dict[str, int]] = Field(description="Per kind, impressions per channel")


class TopCall(BaseModel):
    """A call in the ranking."""

    call_id: str = Field(description="Stable id of the call")
    total: int = Field(description="Every impression of the call")
    by_kind: dict[str, int] = Field(description="Impressions per kind")


class TopCalls(BaseModel):
    """The calls with the most impressions, most first."""

    calls: list[TopCall]


def build_router(stores: Stores, top_max: int, ranges: DayRange) -> APIRouter:
    router = APIRouter(prefix="/api/metrics", tags=["metrics"])
    store = stores.counts

    @router.get(
        "/calls/{call_id}",
        summary="Impression counts of one call",
        responses={404: {"description": "No impression recorded for this call"}},
    )
    async def call_counts(
        call_id: Annotated[str, Path(pattern=CALL_ID_PATTERN, description="Id of the call")],
    ) -> CallCountsOut:
        counts: CallCounts | None = await store.get(call_id)
        if counts is None:
            raise HTTPException(404, f"No impressions recorded for call {call_id} (yet).")
        return CallCountsOut(
            call_id=counts.call_id,
            total=counts.total,
            by_kind=counts.by_kind,
            by_day=counts.by_day,
            by_channel=counts.by_channel,
        )

    @router.get("/calls/{call_id}/funnel", summary="Funnel of one call per channel, with CTRs")
    async def funnel(
        call_id: Annotated[str, Path(pattern=CALL_ID_PATTERN, description="Id of the call")],
        desde: date | None = None,
        hasta: date | None = None,
    ) -> dict[str, Any]:
        first, last = ranges(desde, hasta)
        rows = await call_funnel(stores.rollups, call_id, first, last)
        return {"call_id": call_id, "from": first, "to": last, "channels": rows}

    @router.get("/report", summary="KPIs, series, breakdowns, top calls and funnel of a range of days")
    async def report_json(desde: date | None = None, hasta: date | None = None) -> dict[str, Any]:
        first, last = ranges(desde, hasta)
        r = await report(stores, first, last)
        return {
            "from": first,
            "to": last,
            "kpis": r.kpis,
            "series": r.series,
            "breakdowns": r.breakdowns,
            "top_calls": r.top_calls,
            "funnel_by_channel": r.funnel_by_channel,
        }

    @router.get("/top", summary="Calls with the most impressions")
    async def top_calls(
        limit: Annotated[int, Query(ge=1, le=top_max, description="How many calls")] = 10,
    ) -> TopCalls:
        ranked = await store.top(limit)
        return TopCalls(calls=[TopCall(call_id=c.call_id, total=c.total, by_kind=c.by_kind) for c in ranked])

    return router
