"""MongoSourceRegistry on the real MongoDB-protocol server of the stack: CRUD, seeding, run status."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from boi_ingest.adapters.registry import MongoSourceRegistry
from boi_ingest.domain.requests import EnvValue, HttpMethod, SourceRequest
from boi_ingest.domain.sources import RunCounts, SourceConfig, SourceExistsError, UnknownSourceError
from tests.support.stack import StackEndpoints


@pytest.fixture
async def registry(stack: StackEndpoints) -> AsyncIterator[MongoSourceRegistry]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    database = f"ingest_registry_{uuid.uuid4().hex[:12]}"
    try:
        yield MongoSourceRegistry(client, database)
        await client.drop_database(database)
    finally:
        await client.close()


EU = SourceConfig(
    id="eu-ft",
    type="json_api",
    url="https://api.tech.ec.europa.eu/search-api/prod/rest/search",
    mapping="eu_funding_tenders",
    language="en",
    tags=["ue"],
    interval_seconds=3600,
)
CSV = SourceConfig(id="historico", type="csv", file="/data/historico.csv", mapping={"title": "Nombre"})


async def test_crud(registry: MongoSourceRegistry) -> None:
    await registry.add(EU)
    await registry.add(CSV)
    with pytest.raises(SourceExistsError, match="'eu-ft' already exists"):
        await registry.add(EU)
    got = await registry.get("eu-ft")
    assert got.config == EU and got.status.last_run_at is None
    assert [s.config.id for s in await registry.find()] == ["eu-ft", "historico"]

    await registry.set_enabled("historico", False)
    assert [s.config.id for s in await registry.find(enabled_only=True)] == ["eu-ft"]
    assert (await registry.get("historico")).config == CSV.model_copy(update={"enabled": False})
    await registry.set_enabled("historico", True)
    assert len(await registry.find(enabled_only=True)) == 2

    await registry.remove("historico")
    with pytest.raises(UnknownSourceError):
        await registry.get("historico")
    with pytest.raises(UnknownSourceError):
        await registry.remove("historico")
    with pytest.raises(UnknownSourceError, match="no source with id 'nope'"):
        await registry.set_enabled("nope", True)


async def test_seeding_keeps_an_operators_changes(registry: MongoSourceRegistry) -> None:
    seeded = SourceConfig.from_location("feeds/a.xml")
    assert await registry.seed([seeded, EU]) == 2
    await registry.set_enabled("file:a.xml", False)
    assert await registry.seed([seeded, EU]) == 0  # restarting the service does not re-enable it
    assert (await registry.get("file:a.xml")).config.enabled is False


async def test_run_status_and_counts(registry: MongoSourceRegistry) -> None:
    await registry.add(EU)
    first = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    await registry.record_run("eu-ft", RunCounts(fetched=5, new=1, skipped=4), [], first)
    second = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    await registry.record_run("eu-ft", RunCounts(fetched=5, updated=1, duplicate=1, unchanged=0), [], second)
    failed = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    await registry.record_run("eu-ft", RunCounts(), ["https://… answered HTTP 503; check the URL"], failed)

    status = (await registry.get("eu-ft")).status
    assert status.last_run_at == failed
    assert status.last_success_at == second
    assert (status.last_error_at, status.last_error) == (failed, "https://… answered HTTP 503; check the URL")
    assert status.last_run == RunCounts()
    assert status.totals == RunCounts(fetched=10, new=1, updated=1, duplicate=1, skipped=4)


async def test_a_declared_request_is_kept_whatever_its_keys(registry: MongoSourceRegistry) -> None:
    query = {"bool": {"must": [{"terms": {"metadata.status": ["31094502"]}}], "$hint": "x"}}
    posted = EU.model_copy(
        update={
            "id": "eu-ft-post",
            "request": SourceRequest(
                method=HttpMethod.POST,
                form={"query": query, "languages": ["en"]},
                headers={"Accept": "application/json", "X-Api-Key": EnvValue(env="BOI_EU_KEY")},
            ),
        }
    )
    await registry.add(posted)
    got = (await registry.get("eu-ft-post")).config
    assert (
        got == posted
        and got.request is not None
        and got.request.form == {"query": query, "languages": ["en"]}
    )
    assert [s.config.request for s in await registry.find()] == [posted.request]


async def test_failures_in_a_row_and_the_back_off_are_kept_until_a_success(
    registry: MongoSourceRegistry,
) -> None:
    await registry.add(EU)
    at = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert await registry.record_run("eu-ft", RunCounts(), ["HTTP 503"], at) == 1
    assert await registry.record_run("eu-ft", RunCounts(), ["HTTP 503"], at) == 2
    until = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    await registry.set_backoff("eu-ft", until)
    status = (await registry.get("eu-ft")).status
    assert (status.consecutive_failures, status.backoff_until) == (2, until)
    assert await registry.record_run("eu-ft", RunCounts(fetched=5), [], at) == 0
    status = (await registry.get("eu-ft")).status
    assert (status.consecutive_failures, status.backoff_until) == (0, None)
