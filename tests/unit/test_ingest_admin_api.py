"""The admin route of ingest (bearer token, body, errors) on a fake runner, and the settings from env."""

import secrets
from collections.abc import Sequence

import httpx
import pytest
from fastapi import FastAPI

from boi_ingest.api import admin_router
from boi_ingest.ports import IngestReport
from boi_ingest.service.runner import NoSourcesError
from boi_ingest.settings import Settings

TOKEN = secrets.token_urlsafe(32)


class FakeRunner:
    def __init__(self, configured: list[str]) -> None:
        self.configured = configured
        self.calls: list[list[str] | None] = []

    async def run(self, locations: Sequence[str] | None = None) -> list[IngestReport]:
        self.calls.append(list(locations) if locations else None)
        chosen = list(locations) if locations else self.configured
        if not chosen:
            raise NoSourcesError("no sources to ingest: pass some, or configure BOI_INGEST_SOURCES")
        return [IngestReport(source=s, source_id=s, fetched=1, new=1) for s in chosen]


def client(token: str, runner: FakeRunner) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(admin_router(Settings(admin_token=token), runner))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ingest")


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}]
)
async def test_missing_or_wrong_token_is_401(headers: dict[str, str]) -> None:
    runner = FakeRunner(["a.xml"])
    async with client(TOKEN, runner) as c:
        response = await c.post("/api/ingest/run", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert runner.calls == []


async def test_no_configured_token_disables_the_endpoint() -> None:
    runner = FakeRunner(["a.xml"])
    async with client("", runner) as c:
        response = await c.post("/api/ingest/run", headers={"Authorization": "Bearer "})
    assert response.status_code == 503
    assert "BOI_ADMIN_TOKEN" in response.json()["detail"]
    assert runner.calls == []


async def test_runs_given_or_configured_sources() -> None:
    runner = FakeRunner(["configured.xml"])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with client(TOKEN, runner) as c:
        given = await c.post("/api/ingest/run", headers=auth, json={"sources": ["x.xml", "y.xml"]})
        default = await c.post("/api/ingest/run", headers=auth)
        empty_list = await c.post("/api/ingest/run", headers=auth, json={"sources": []})
    assert [r["source"] for r in given.json()["reports"]] == ["x.xml", "y.xml"]
    assert [r["source"] for r in default.json()["reports"]] == ["configured.xml"]
    assert empty_list.status_code == 422
    assert runner.calls == [["x.xml", "y.xml"], None]


async def test_nothing_to_run_is_400() -> None:
    async with client(TOKEN, FakeRunner([])) as c:
        response = await c.post("/api/ingest/run", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 400
    assert "BOI_INGEST_SOURCES" in response.json()["detail"]


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOI_INGEST_SOURCES", "feeds/a.xml, https://example.org/feed.xml")
    monkeypatch.setenv("BOI_INGEST_INTERVAL_SECONDS", "0")
    monkeypatch.setenv("BOI_ADMIN_TOKEN", TOKEN)
    settings = Settings()
    assert settings.ingest_sources == ["feeds/a.xml", "https://example.org/feed.xml"]
    assert settings.ingest_interval_seconds == 0
    assert settings.admin_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings)
    monkeypatch.delenv("BOI_INGEST_SOURCES")
    monkeypatch.delenv("BOI_ADMIN_TOKEN")
    defaults = Settings()
    assert (defaults.ingest_sources, defaults.admin_token.get_secret_value()) == ([], "")
    assert defaults.max_body_bytes == 10 * 1024 * 1024
