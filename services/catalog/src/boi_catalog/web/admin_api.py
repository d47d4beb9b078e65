"""Console JSON endpoints (`/api/admin`), signed-in users only: the review queue and the audit log."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder

from boi_catalog.service import curation
from boi_catalog.web import WebContext
from boi_catalog.web.auth import Sessions
from boi_catalog.web.curation import field_rows


def admin_api_router(ctx: WebContext, sessions: Sessions) -> APIRouter:
    router = APIRouter(prefix="/api/admin", include_in_schema=False)

    @router.get("/cola")
    async def queue(request: Request, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
        sessions.require(request)
        calls = await curation.review_queue(
            ctx.repository, limit=min(max(limit, 1), 100), offset=max(offset, 0)
        )
        return [{"call_id": c["call_id"], "status": c["status"], "fields": field_rows(c)} for c in calls]

    @router.get("/auditoria")
    async def audit(request: Request, limit: int = 100) -> Any:
        sessions.require(request, "admin")
        entries = await curation.audit_log(ctx.repository, limit=min(max(limit, 1), 1000))
        return jsonable_encoder(entries)

    return router
