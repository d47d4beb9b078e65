"""HTTP API of the metrics service: counts of one call, and the most seen calls."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field

from boi_metrics.domain.counts import CallCounts
from boi_metrics.ports import CallCountsStore
from boi_shared.ids import CALL_ID_PATTERN


class CallCountsOut(BaseModel):
    """Impressions of one call."""

    call_id: str = Field(description="Stable id of the call")
    total: int = Field(description="Every impression of the call")
    by_kind: dict[str, int] = Field(description="Impressions per kind (search_result, call_view, …)")
    by_day: dict[str, int] = Field(description="Impressions per UTC day, YYYY-MM-DD")


class TopCall(BaseModel):
    """A call in the ranking."""

    call_id: str = Field(description="Stable id of the call")
    total: int = Field(description="Every impression of the call")
    by_kind: dict[str, int] = Field(description="Impressions per kind")


class TopCalls(BaseModel):
    """The calls with the most impressions, most first."""

    calls: list[TopCall]


def build_router(store: CallCountsStore, top_max: int) -> APIRouter:
    router = APIRouter(prefix="/api/metrics", tags=["metrics"])

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
            call_id=counts.call_id, total=counts.total, by_kind=counts.by_kind, by_day=counts.by_day
        )

    @router.get("/top", summary="Calls with the most impressions")
    async def top_calls(
        limit: Annotated[int, Query(ge=1, le=top_max, description="How many calls")] = 10,
    ) -> TopCalls:
        ranked = await store.top(limit)
        return TopCalls(calls=[TopCall(call_id=c.call_id, total=c.total, by_kind=c.by_kind) for c in ranked])

    return router
