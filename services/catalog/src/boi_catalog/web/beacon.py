"""The browser beacon: `POST /api/impresiones`, batches of what a person saw and did on the public site.

`static/beacon.js` sends them with `navigator.sendBeacon` (no cookies are set or read). A batch is refused
whole, with a clear error and nothing counted, when it is too large (413 over `MAX_BODY_BYTES`, 422 over
the event cap), names a call that is not public, or the client is over its rate (429). Crawlers and headless
browsers get 204 and are not counted. Call views and clicks to the official source are counted by the
server when it renders the page or redirects, never from the beacon.
"""

import json
import time
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boi_catalog.domain.call import VISIBLE_STATUSES
from boi_catalog.domain.search import MAX_TOTAL_HITS
from boi_catalog.web import WebContext, is_call_id
from boi_catalog.web.security import RateLimiter
from boi_catalog.web.visits import Visits
from boi_shared.errors import TransientError
from boi_shared.ids import CALL_ID_PATTERN

MAX_EVENTS = 50
MAX_BODY_BYTES = 16_384
PUBLIC_IDS_TTL = 60.0
Network = Literal["whatsapp", "linkedin", "x", "correo", "facebook", "telegram", "otro"]


class BeaconEvent(BaseModel):
    """One thing a person saw or did on a call, as the page reports it."""

    model_config = ConfigDict(extra="forbid")

    call_id: str = Field(pattern=CALL_ID_PATTERN)
    kind: Literal["search_result", "share", "applied", "selected"]
    position: int | None = Field(default=None, ge=0, le=MAX_TOTAL_HITS)
    network: Network | None = Field(default=None, description="Where it was shared (kind share)")


class BeaconBatch(BaseModel):
    """What the page reports at once; the UTM values the page was reached with."""

    model_config = ConfigDict(extra="forbid")

    events: list[BeaconEvent] = Field(min_length=1, max_length=MAX_EVENTS)
    utm_source: str | None = Field(default=None, max_length=100)
    utm_medium: str | None = Field(default=None, max_length=100)
    utm_campaign: str | None = Field(default=None, max_length=100)


class PublicIds:
    """Which call ids are public, remembered for a minute (the beacon is on the hot path)."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self._known: dict[str, float] = {}

    async def unknown(self, call_ids: set[str]) -> set[str]:
        now = time.monotonic()
        missing = {c for c in call_ids if self._known.get(c, 0.0) < now}
        if missing:
            found = await self.ctx.repository.get_many(sorted(missing))
            for call_id, call in found.items():
                if call.status in VISIBLE_STATUSES:
                    self._known[call_id] = now + PUBLIC_IDS_TTL
            if len(self._known) > 100_000:
                self._known.clear()
        return {c for c in call_ids if self._known.get(c, 0.0) < now}


async def read_batch(request: Request) -> BeaconBatch:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(
            413, f"Lote demasiado grande: máximo {MAX_EVENTS} eventos ({MAX_BODY_BYTES} bytes)."
        )
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(
                413, f"Lote demasiado grande: máximo {MAX_EVENTS} eventos ({MAX_BODY_BYTES} bytes)."
            )
    try:
        data: Any = json.loads(body)
        return BeaconBatch.model_validate(data)
    except (ValueError, ValidationError) as exc:
        detail = (
            exc.errors(include_url=False, include_input=False)
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        raise HTTPException(422, detail) from exc


def beacon_router(ctx: WebContext, visits: Visits) -> APIRouter:
    s = ctx.settings
    limiter = RateLimiter(s.beacon_rate_per_minute if s else 60, s.beacon_rate_burst if s else 20)
    router = APIRouter(prefix="/api", tags=["calls"], dependencies=[Depends(limiter)])
    public = PublicIds(ctx)

    @router.post(
        "/impresiones",
        status_code=204,
        summary="Report what a person saw and did (browser beacon)",
        responses={
            413: {"description": "Batch too large"},
            422: {"description": "Invalid batch"},
            429: {"description": "Too many requests"},
        },
    )
    async def beacon(request: Request, background: BackgroundTasks) -> Response:
        batch = await read_batch(request)
        ids = {e.call_id for e in batch.events}
        try:
            unknown = await public.unknown({c for c in ids if is_call_id(c)})
        except TransientError as exc:
            raise HTTPException(503, "Intenta de nuevo en unos minutos.") from exc
        if unknown:
            raise HTTPException(422, f"No son convocatorias públicas: {', '.join(sorted(unknown)[:5])}")
        visit = await visits.visit(
            request, utm_source=batch.utm_source, utm_medium=batch.utm_medium, utm_campaign=batch.utm_campaign
        )
        if visit is not None:  # published after the response is sent (uvicorn waits for it on shutdown)
            background.add_task(ctx.impressions.record, [to_impression(visit, e) for e in batch.events])
        return Response(status_code=204)

    return router


def to_impression(visit: Any, event: BeaconEvent) -> Any:
    impression = visit.impression(event.call_id, event.kind, event.position)
    if event.kind == "share" and event.network:
        return impression.model_copy(update={"channel_detail": event.network})
    return impression
