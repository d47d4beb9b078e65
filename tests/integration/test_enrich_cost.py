"""Cost control on the real stack: the MongoDB-protocol cache and ledger (FerretDB here), and the enrich
service process with the openai provider pointed at the local OpenAI-compatible test server."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from pymongo import AsyncMongoClient

from boi_enrich.adapters.mongo import MongoStore
from boi_enrich.app import build_chain
from boi_shared.events import CallIngested
from boi_shared.ids import call_id_for
from tests.support.enrich_samples import TEST_OPENAI_KEY, VALID_ANSWER, openai_settings, sample_call
from tests.support.kafka import collect, publish
from tests.support.openai_server import OpenAICompatibleServer, answer, openai_server
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints


@pytest.fixture
def server() -> Iterator[OpenAICompatibleServer]:
    with openai_server() as srv:
        yield srv


async def test_same_call_enriched_twice_is_paid_once(
    stack: StackEndpoints, server: OpenAICompatibleServer
) -> None:
    database = f"enrich_test_{uuid.uuid4().hex[:12]}"
    server.queue(answer(VALID_ANSWER, usage=(1500, 400)))
    store = MongoStore(stack.mongo_url, database)
    chain = build_chain(openai_settings(server.url, server.model), store.cache, store.ledger)
    try:
        first = await chain.enrich(sample_call())
        second = await chain.enrich(sample_call())
        docs = await store.client[database]["ledger"].find({}).to_list()
        cached = await store.client[database]["cache"].count_documents({})
    finally:
        await chain.close()
        await store.close()
    assert (first.enrichment.provider, second.enrichment.provider) == ("openai", "openai")
    assert (first.cached, second.cached) == (False, True)
    assert second.enrichment == first.enrichment
    assert len(server.requests) == 1 and server.problems == []
    calls = [d for d in docs if d["kind"] == "call"]
    [day] = [d for d in docs if d["kind"] == "day"]
    assert [(c["input_tokens"], c["output_tokens"], c["outcome"]) for c in calls] == [(1500, 400, "ok")]
    assert (day["calls"], day["input_tokens"], day["output_tokens"]) == (1, 1500, 400)
    assert day["_id"] == f"day:{datetime.now(UTC).date().isoformat()}:openai"
    assert day["cost_usd"] == pytest.approx((1500 * 0.25 + 400 * 2.0) / 1e6)
    assert cached == 1


async def test_budget_cap_shared_through_the_ledger(
    stack: StackEndpoints, server: OpenAICompatibleServer
) -> None:
    database = f"enrich_test_{uuid.uuid4().hex[:12]}"
    server.queue(answer(VALID_ANSWER))
    store = MongoStore(stack.mongo_url, database)
    settings = openai_settings(server.url, server.model, openai_daily_budget_usd=0.0001)
    chain = build_chain(settings, store.cache, store.ledger)
    try:
        first = await chain.enrich(sample_call("https://example.org/budget-1"))
        # another replica: a new chain on the same database sees the spend
        other = build_chain(settings, store.cache, store.ledger)
        second = await other.enrich(sample_call("https://example.org/budget-2"))
        await other.close()
    finally:
        await chain.close()
        await store.close()
    assert first.enrichment.provider == "openai"
    assert second.enrichment.provider != "openai"
    assert any("presupuesto diario de openai agotado" in r for r in second.enrichment.review_reasons)
    assert len(server.requests) == 1


@pytest.fixture
def enrich_openai(stack: StackEndpoints) -> Iterator[tuple[ServiceProcess, OpenAICompatibleServer, str]]:
    database = f"enrich_svc_{uuid.uuid4().hex[:12]}"
    with openai_server(default=answer(VALID_ANSWER)) as srv:
        env = {
            **stack.service_env(),
            "BOI_MONGO_DATABASE": database,
            "BOI_ENRICH_PROVIDER": "openai",
            "BOI_ENRICH_FALLBACK": "local",
            "BOI_OPENAI_BASE_URL": srv.url,
            "BOI_OPENAI_MODEL": srv.model,
            "BOI_OPENAI_API_KEY": TEST_OPENAI_KEY,
        }
        svc = ServiceProcess("enrich", env).start()
        try:
            yield svc, srv, database
        finally:
            svc.stop()


async def test_service_with_openai_pays_once_for_two_versions_of_the_same_text(
    stack: StackEndpoints, enrich_openai: tuple[ServiceProcess, OpenAICompatibleServer, str]
) -> None:
    svc, server, database = enrich_openai
    ready = httpx.get(f"{svc.url}/readyz", timeout=5).json()
    assert ready["checks"] == {"kafka": "ok", "mongodb": "ok"}
    call = sample_call(f"https://example.org/{uuid.uuid4()}")
    call_id = call_id_for(call.url)
    for version in (1, 2):  # e.g. a new source lists the same call: new version, same text
        event = CallIngested(call_id=call_id, version=version, call=call)
        await publish(
            stack.kafka_bootstrap, "calls.raw.v1", event.model_dump_json().encode(), key=call_id.encode()
        )
    out = await collect(
        stack.kafka_bootstrap, "calls.enriched.v1", lambda v: v.get("call_id") == call_id, expected=2
    )
    assert sorted(v["version"] for v in out) == [1, 2]
    assert {v["enrichment"]["provider"] for v in out} == {"openai"}
    assert {v["enrichment"]["deadline"] for v in out} == {"2026-07-31"}
    assert len(server.requests) == 1 and server.problems == []
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(stack.mongo_url)
    try:
        entries = await client[database]["ledger"].count_documents({"kind": "call"})
    finally:
        await client.close()
    assert entries == 1


def test_cli_with_store_pays_once_across_runs(
    stack: StackEndpoints, server: OpenAICompatibleServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from boi_enrich.cli import app

    server.queue(answer(VALID_ANSWER))
    for name, value in {
        "BOI_MONGO_URL": stack.mongo_url,
        "BOI_MONGO_DATABASE": f"enrich_cli_{uuid.uuid4().hex[:12]}",
        "BOI_OPENAI_BASE_URL": server.url,
        "BOI_OPENAI_MODEL": server.model,
        "BOI_OPENAI_API_KEY": TEST_OPENAI_KEY,
    }.items():
        monkeypatch.setenv(name, value)
    line = sample_call().model_dump_json() + "\n"
    for _ in range(2):  # two separate runs: the second reads MongoDB's cache
        result = CliRunner().invoke(app, ["try", "--provider", "openai", "-"], input=line)
        assert result.exit_code == 0, result.output
        assert '"provider":"openai"' in result.stdout
    assert len(server.requests) == 1 and server.problems == []
