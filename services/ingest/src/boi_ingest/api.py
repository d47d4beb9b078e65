"""HTTP glue of the ingest service: `POST /api/ingest/run`, guarded by the admin bearer token."""

import secrets
from collections.abc import Sequence
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from boi_ingest.runtime import NoSourcesError
from boi_ingest.service import IngestReport
from boi_ingest.settings import Settings


class Runner(Protocol):
    async def run(self, locations: Sequence[str] | None = None) -> list[IngestReport]: ...


class RunRequest(BaseModel):
    sources: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Feed files or http(s) URLs to ingest now; the configured sources when omitted",
    )


class RunResponse(BaseModel):
    reports: list[IngestReport]


_bearer = HTTPBearer(auto_error=False, description="BOI_ADMIN_TOKEN")


def admin_router(settings: Settings, runner: Runner) -> APIRouter:
    expected = settings.admin_token.get_secret_value().encode()

    async def require_admin(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        if not expected:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "the admin endpoint is disabled: set BOI_ADMIN_TOKEN on the ingest service",
            )
        given = credentials.credentials.encode() if credentials is not None else b""
        if not secrets.compare_digest(given, expected):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "missing or wrong admin token: send 'Authorization: Bearer <BOI_ADMIN_TOKEN>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])

    @router.post(
        "/api/ingest/run",
        summary="Ingest sources now and return one report per source",
        response_model=RunResponse,
    )
    async def run_ingest(body: RunRequest | None = None) -> RunResponse:
        try:
            reports = await runner.run(body.sources if body else None)
        except NoSourcesError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
        return RunResponse(reports=reports)

    return router
