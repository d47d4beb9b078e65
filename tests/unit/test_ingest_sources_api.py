"""The sources admin API and the manual submission route, on an in-memory registry and a fake submitter."""

import secrets
from datetime import datetime

import httpx
import pytest
from fastapi import FastAPI

from boi_ingest.api import sources_router
from boi_ingest.domain.sources import (
    RegisteredSource,
    RunCounts,
    SourceConfig,
    SourceExistsError,
    SourceRegistry,
    UnknownSourceError,
)
from boi_ingest.service.sources import InvalidCallError, ManualCall, ManualResult
from boi_ingest.settings import Settings

TOKEN = secrets.token_urlsafe(32)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class MemoryRegistry:
    def __init__(self) -> None:
        self.sources: dict[str, RegisteredSource] = {}

    async def add(self, config: SourceConfig) -> None:
        if config.id in self.sources:
            raise SourceExistsError(f"a source with id {config.id!r} already exists")
        self.sources[config.id] = RegisteredSource(config=config)

    async def get(self, source_id: str) -> RegisteredSource:
        if source_id not in self.sources:
            raise UnknownSourceError(source_id)
        return self.sources[source_id]

    async def find(self, *, enabled_only: bool = False) -> list[RegisteredSource]:
        return [s for s in self.sources.values() if s.config.enabled or not enabled_only]

    async def set_enabled(self, source_id: str, enabled: bool) -> None:
        found = await self.get(source_id)
        config = found.config.model_copy(update={"enabled": enabled})
        self.sources[source_id] = found.model_copy(update={"config": config})

    async def remove(self, source_id: str) -> None:
        await self.get(source_id)
        del self.sources[source_id]

    async def seed(self, configs: list[SourceConfig]) -> int:
        return 0

    async def record_run(self, source_id: str, counts: RunCounts, errors: list[str], at: datetime) -> int:
        return 1 if errors else 0

    async def set_backoff(self, source_id: str, until: datetime) -> None:
        return None


class Backend:
    def __init__(self) -> None:
        self.registry: SourceRegistry | None = MemoryRegistry()
        self.submitted: list[ManualCall] = []

    async def submit(self, call: ManualCall) -> ManualResult:
        if call.url == "broken":
            raise InvalidCallError("not a usable call: unusable link: not an http(s) URL: 'broken'")
        if call.url == "https://e.org/down":
            raise ConnectionError("kafka unreachable")
        self.submitted.append(call)
        return ManualResult(call_id="c-1", url=call.url, outcome="new", version=1)


def client(backend: Backend, token: str = TOKEN) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(sources_router(Settings(admin_token=token), backend))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


FEED = {"id": "mauritius", "type": "atom", "url": "https://example.org/feed.atom", "tags": ["becas"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sources"),
        ("POST", "/api/sources"),
        ("GET", "/api/sources/mauritius"),
        ("GET", "/api/sources/mauritius/status"),
        ("POST", "/api/sources/mauritius/enable"),
        ("POST", "/api/sources/mauritius/disable"),
        ("DELETE", "/api/sources/mauritius"),
        ("POST", "/api/calls/manual"),
    ],
)
async def test_every_route_needs_the_admin_token(method: str, path: str) -> None:
    backend = Backend()
    async with client(backend) as c:
        response = await c.request(method, path, json={}, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert backend.submitted == []


async def test_sources_crud() -> None:
    backend = Backend()
    async with client(backend) as c:
        added = await c.post("/api/sources", json=FEED, headers=AUTH)
        assert added.status_code == 201, added.text
        assert added.json()["config"]["tags"] == ["becas"]
        assert added.json()["status"]["last_success_at"] is None
        assert (await c.post("/api/sources", json=FEED, headers=AUTH)).status_code == 409
        bad = await c.post("/api/sources", json={**FEED, "id": "x", "url": None}, headers=AUTH)
        assert bad.status_code == 422 and "exactly one of url or file" in bad.text
        bad_mapping = {"id": "eu", "type": "json_api", "url": "https://e.org/s", "mapping": "nope"}
        assert "unknown JSON mapping" in (await c.post("/api/sources", json=bad_mapping, headers=AUTH)).text
        disabled = await c.post("/api/sources/mauritius/disable", headers=AUTH)
        assert disabled.json()["config"]["enabled"] is False
        enabled = await c.post("/api/sources/mauritius/enable", headers=AUTH)
        assert enabled.json()["config"]["enabled"] is True
        status = await c.get("/api/sources/mauritius/status", headers=AUTH)
        assert status.json()["totals"]["fetched"] == 0
        assert [s["config"]["id"] for s in (await c.get("/api/sources", headers=AUTH)).json()] == [
            "mauritius"
        ]
        assert (await c.delete("/api/sources/mauritius", headers=AUTH)).status_code == 204
        missing = await c.get("/api/sources/mauritius", headers=AUTH)
        assert missing.status_code == 404 and "boi sources list" in missing.json()["detail"]
        assert (await c.delete("/api/sources/mauritius", headers=AUTH)).status_code == 404


async def test_legacy_ids_with_slashes_work_in_paths() -> None:
    backend = Backend()
    legacy = {"id": "https://example.org/feed.xml", "type": "rss", "url": "https://example.org/feed.xml"}
    async with client(backend) as c:
        assert (await c.post("/api/sources", json=legacy, headers=AUTH)).status_code == 201
        response = await c.post("/api/sources/https://example.org/feed.xml/disable", headers=AUTH)
        assert response.status_code == 200 and response.json()["config"]["enabled"] is False


async def test_manual_submission() -> None:
    backend = Backend()
    call = {"title": "Beca", "url": "https://e.org/beca", "text": "Texto", "language": "es"}
    async with client(backend) as c:
        done = await c.post("/api/calls/manual", json=call, headers=AUTH)
        assert done.status_code == 200 and done.json()["outcome"] == "new"
        assert (await c.post("/api/calls/manual", json={"title": "x"}, headers=AUTH)).status_code == 422
        invalid = await c.post("/api/calls/manual", json={**call, "url": "broken"}, headers=AUTH)
        assert invalid.status_code == 422 and "unusable link" in invalid.json()["detail"]
        down = await c.post("/api/calls/manual", json={**call, "url": "https://e.org/down"}, headers=AUTH)
        assert down.status_code == 503 and "try again" in down.json()["detail"]
    assert [c.title for c in backend.submitted] == ["Beca"]


async def test_registry_not_open_yet_is_503() -> None:
    backend = Backend()
    backend.registry = None
    async with client(backend) as c:
        assert (await c.get("/api/sources", headers=AUTH)).status_code == 503


async def test_a_post_source_is_registered_with_its_request_and_never_a_secret() -> None:
    backend = Backend()
    grants = {
        "id": "grants-gov",
        "type": "json_api",
        "url": "https://api.grants.gov/v1/api/search2",
        "mapping": "grants_gov",
        "request": {
            "method": "POST",
            "body": {"keyword": "scholarship", "oppStatuses": "forecasted|posted", "rows": 100},
            "headers": {"Accept": "application/json", "X-Api-Key": {"env": "BOI_GRANTS_GOV_KEY"}},
        },
    }
    async with client(backend) as c:
        added = await c.post("/api/sources", json=grants, headers=AUTH)
        assert added.status_code == 201, added.text
        assert added.json()["config"]["request"]["headers"]["X-Api-Key"] == {"env": "BOI_GRANTS_GOV_KEY"}
        literal = {**grants, "id": "leak", "request": {"headers": {"X-Api-Key": "abc123"}}}
        refused = await c.post("/api/sources", json=literal, headers=AUTH)
        assert refused.status_code == 422 and "looks like a credential" in refused.text
        on_rss = {**FEED, "id": "rss-post", "request": {"method": "POST"}}
        refused = await c.post("/api/sources", json=on_rss, headers=AUTH)
        assert refused.status_code == 422 and "POST is allowed only for json_api sources" in refused.text
    registry = backend.registry
    assert isinstance(registry, MemoryRegistry) and set(registry.sources) == {"grants-gov"}
