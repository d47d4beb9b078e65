"""HTTP glue of the ingest service, all guarded by the admin bearer token: `POST /api/ingest/run`, the
sources registry (`/api/sources…`) and manual submission (`POST /api/calls/manual`)."""

import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Protocol

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from boi_ingest.domain.sources import (
    RegisteredSource,
    SourceConfig,
    SourceExistsError,
    SourceRegistry,
    SourceStatus,
    UnknownSourceError,
)
from boi_ingest.ports import IngestReport
from boi_ingest.service.runner import NoSourcesError
from boi_ingest.service.sources import InvalidCallError, ManualCall, ManualResult
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


def admin_dependency(settings: Settings) -> Callable[..., Awaitable[None]]:
    """The dependency every admin route shares: 503 without a configured token, 401 without the token."""
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

    return require_admin


def admin_router(settings: Settings, runner: Runner) -> APIRouter:
    router = APIRouter(tags=["admin"], dependencies=[Depends(admin_dependency(settings))])

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


class SourcesBackend(Protocol):
    """What the sources routes need: the registry (None until the service is open) and submission."""

    @property
    def registry(self) -> SourceRegistry | None: ...

    async def submit(self, call: ManualCall) -> ManualResult: ...


def sources_router(settings: Settings, backend: SourcesBackend) -> APIRouter:
    """Admin API of the sources registry and the manual submission endpoint."""
    router = APIRouter(tags=["sources"], dependencies=[Depends(admin_dependency(settings))])

    def registry() -> SourceRegistry:
        if backend.registry is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the service is starting; try again")
        return backend.registry

    async def registered(source_id: str) -> RegisteredSource:
        try:
            return await registry().get(source_id)
        except UnknownSourceError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc

    @router.get("/api/sources", summary="Registered sources with their status")
    async def list_sources() -> list[RegisteredSource]:
        return await registry().find()

    @router.post("/api/sources", status_code=201, summary="Register a source")
    async def add_source(config: SourceConfig) -> RegisteredSource:
        try:
            await registry().add(config)
        except SourceExistsError as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return await registered(config.id)

    @router.get("/api/sources/{source_id:path}/status", summary="Status of one source")
    async def source_status(source_id: str) -> SourceStatus:
        return (await registered(source_id)).status

    @router.post("/api/sources/{source_id:path}/enable", summary="Include a source in scheduled runs")
    async def enable_source(source_id: str) -> RegisteredSource:
        return await _set_enabled(source_id, True)

    @router.post("/api/sources/{source_id:path}/disable", summary="Leave a source out of scheduled runs")
    async def disable_source(source_id: str) -> RegisteredSource:
        return await _set_enabled(source_id, False)

    async def _set_enabled(source_id: str, enabled: bool) -> RegisteredSource:
        try:
            await registry().set_enabled(source_id, enabled)
        except UnknownSourceError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        return await registered(source_id)

    @router.get("/api/sources/{source_id:path}", summary="One source with its status")
    async def get_source(source_id: str) -> RegisteredSource:
        return await registered(source_id)

    @router.delete("/api/sources/{source_id:path}", status_code=204, summary="Remove a source")
    async def remove_source(source_id: str) -> None:
        try:
            await registry().remove(source_id)
        except UnknownSourceError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc

    @router.post("/api/calls/manual", summary="Validate, normalize and publish one call to calls.raw.v1")
    async def submit_call(call: ManualCall) -> ManualResult:
        try:
            return await backend.submit(call)
        except InvalidCallError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        except Exception as exc:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"could not publish the call ({type(exc).__name__}: {exc}); try again",
            ) from exc

    return router
