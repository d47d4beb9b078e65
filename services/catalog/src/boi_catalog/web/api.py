"""Public JSON API for partners: search the published calls and read one call."""

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query

from boi_catalog.domain.public import impressions, public_call
from boi_catalog.domain.search import SearchPage
from boi_catalog.service import find_public_call, search_calls
from boi_catalog.web import NOT_FOUND_ES, UNAVAILABLE_ES, WebContext, is_call_id
from boi_shared.errors import TransientError
from boi_shared.events import PublicCall
from boi_shared.taxonomy import CallType


class CallDetail(PublicCall):
    """A public call with its id and catalog version."""

    call_id: str
    version: int


def api_router(ctx: WebContext) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["calls"])

    @router.get("/calls", summary="Search the published calls")
    async def search(
        background: BackgroundTasks,
        q: str = Query("", max_length=200, description="Words to look for (typos tolerated)"),
        call_type: CallType | None = Query(None, alias="type", description="Only this kind"),
        limit: int = Query(20, ge=1, le=50, description="Results per page"),
        offset: int = Query(0, ge=0, le=1000, description="Results to skip"),
    ) -> SearchPage:
        try:
            page = await search_calls(ctx.index, q, call_type, limit, offset, ctx.public_base_url)
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        # Recorded after the response is sent; uvicorn waits for it on shutdown.
        background.add_task(
            ctx.impressions.record,
            impressions([h.call_id for h in page.hits], "search_result", "api", first_position=offset),
        )
        return page

    @router.get(
        "/calls/{call_id}",
        summary="One published call",
        responses={404: {"description": "No such public call"}},
    )
    async def get_call(call_id: str) -> CallDetail:
        if not is_call_id(call_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES)
        try:
            call = await find_public_call(ctx.repository, call_id)
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        if call is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES)
        return CallDetail(
            call_id=call.call_id, version=call.version, **public_call(call, ctx.public_base_url).model_dump()
        )

    return router
