"""The openai provider in the chain, against a local OpenAI-compatible HTTP server started by the tests."""

import json
import secrets
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.adapters.openai_client import build_client
from boi_enrich.app import build_chain
from boi_enrich.service import ProviderChain
from boi_enrich.settings import Settings
from boi_shared.events import Enrichment
from tests.support.enrich_samples import (
    TEST_OPENAI_KEY,
    VALID_ANSWER,
    invented_deadline_answer,
    openai_settings,
    sample_call,
)
from tests.support.openai_server import (
    OpenAICompatibleServer,
    Reply,
    answer,
    error,
    malformed,
    openai_server,
    refusal,
)


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with openai_server() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh(server: OpenAICompatibleServer) -> None:
    server.reset()


def chain_for(server: OpenAICompatibleServer, **overrides: Any) -> tuple[ProviderChain, MemoryCostLedger]:
    ledger = MemoryCostLedger()
    settings = openai_settings(server.url, server.model, **overrides)
    return build_chain(settings, MemoryEnrichmentCache(), ledger), ledger


async def enrich(
    server: OpenAICompatibleServer, *replies: Reply, **overrides: Any
) -> tuple[Enrichment, MemoryCostLedger]:
    server.queue(*replies)
    chain, ledger = chain_for(server, **overrides)
    try:
        result = await chain.enrich(sample_call())
    finally:
        await chain.close()
    assert server.problems == []
    return result.enrichment, ledger


async def test_valid_answer_is_mapped_and_sent_as_delimited_data(server: OpenAICompatibleServer) -> None:
    got, ledger = await enrich(server, answer(VALID_ANSWER))
    assert got.provider == "openai"
    assert got.call_type == "beca"
    assert got.deadline == date(2026, 7, 31)
    assert (got.amount, got.currency, got.funder) == (934, "EUR", "DAAD")
    assert got.colombia_eligible == "si"
    assert got.modality == "presencial"
    assert got.ods == [4]
    assert got.evidence["deadline"].sentence == "La convocatoria cierra el 31 de julio de 2026."
    assert set(got.evidence) == {"call_type", "colombia_eligible", "deadline", "amount", "modality"}
    assert not got.needs_review, got.review_reasons
    [request] = server.requests
    assert request.body["model"] == server.model
    assert request.body["response_format"]["json_schema"]["strict"] is True
    assert "max_retries" not in request.body and request.body["max_completion_tokens"] == 4000
    assert "Pueden postularse ciudadanos de Colombia" in request.data_block
    assert "Pueden postularse" not in request.system
    [entry] = ledger.entries
    assert (entry.requests, entry.input_tokens, entry.output_tokens, entry.outcome) == (1, 1200, 300, "ok")
    assert entry.cost_usd == pytest.approx((1200 * 0.25 + 300 * 2.0) / 1e6)


async def test_malformed_twice_is_retried_with_a_repair_request_then_local(
    server: OpenAICompatibleServer,
) -> None:
    got, ledger = await enrich(server, malformed(), malformed())
    assert got.provider != "openai"
    assert any("openai falló" in r and "JSON mal formado" in r for r in got.review_reasons), (
        got.review_reasons
    )
    _, second = server.requests
    roles = [m["role"] for m in second.body["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert "not a valid JSON object" in second.message("user", 1)
    [entry] = ledger.entries
    assert (entry.requests, entry.input_tokens, entry.outcome) == (2, 2400, "failed")


async def test_malformed_then_valid_is_repaired(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, malformed(), answer(VALID_ANSWER))
    assert got.provider == "openai" and got.call_type == "beca"
    assert len(server.requests) == 2


async def test_fenced_json_is_repaired_locally_without_another_request(
    server: OpenAICompatibleServer,
) -> None:
    fenced = Reply(content="Here it is:\n```json\n" + json.dumps(VALID_ANSWER) + "\n```")
    got, _ = await enrich(server, fenced)
    assert got.provider == "openai"
    assert len(server.requests) == 1


async def test_schema_mismatch_counts_as_invalid(server: OpenAICompatibleServer) -> None:
    wrong = {**VALID_ANSWER, "call_type": "lottery"}
    got, _ = await enrich(server, answer(wrong), answer(wrong))
    assert got.provider != "openai"
    assert any("no cumple el esquema: call_type" in r for r in got.review_reasons), got.review_reasons


async def test_refusal_is_retried_once_then_local(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, refusal(), refusal())
    assert got.provider != "openai"
    assert any("se negó a responder" in r for r in got.review_reasons), got.review_reasons
    assert len(server.requests) == 2
    assert [m["role"] for m in server.requests[1].body["messages"]] == ["system", "user"]


async def test_429_honors_retry_after_then_succeeds(server: OpenAICompatibleServer) -> None:
    started = time.monotonic()
    got, ledger = await enrich(server, error(429, retry_after="1"), answer(VALID_ANSWER))
    assert time.monotonic() - started >= 0.95
    assert got.provider == "openai"
    assert [r.status for r in server.requests] == [429, 200]
    assert ledger.entries[0].requests == 1  # a refused request costs nothing


async def test_500_backs_off_then_succeeds(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, error(500), error(503), answer(VALID_ANSWER))
    assert got.provider == "openai"
    assert [r.status for r in server.requests] == [500, 503, 200]


async def test_persistent_5xx_falls_back_to_local(server: OpenAICompatibleServer) -> None:
    got, ledger = await enrich(server, error(500), error(500), error(500), openai_max_retries=2)
    assert got.provider != "openai"
    assert any("openai no respondió tras 3 intentos (HTTP 500)" in r for r in got.review_reasons)
    assert ledger.entries == []


async def test_401_is_not_retried(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, error(401))
    assert got.provider != "openai"
    assert len(server.requests) == 1
    assert any("rechazó la petición (HTTP 401)" in r for r in got.review_reasons)


async def test_unreadable_200_answer_falls_back_to_local(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, Reply(raw=b"<html>gateway says hi</html>"))
    assert got.provider != "openai"
    assert any("respuesta ilegible de openai" in r for r in got.review_reasons), got.review_reasons


async def test_answer_without_usage_is_estimated_for_the_budget(server: OpenAICompatibleServer) -> None:
    got, ledger = await enrich(server, Reply(content=json.dumps(VALID_ANSWER), usage=None))
    assert got.provider == "openai"
    [entry] = ledger.entries
    assert entry.input_tokens > 100 and entry.output_tokens > 100 and entry.cost_usd > 0


async def test_invented_deadline_is_dropped_and_sent_to_review(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(server, answer(invented_deadline_answer()))
    assert got.provider == "openai"
    assert got.deadline is None and "deadline" not in got.evidence
    assert got.needs_review
    assert any("deadline descartado" in r for r in got.review_reasons), got.review_reasons
    assert got.call_type == "beca" and got.amount == 934  # the evidenced fields stay


async def test_budget_spent_skips_openai(server: OpenAICompatibleServer) -> None:
    server.queue(answer(VALID_ANSWER))
    chain, ledger = chain_for(server, openai_daily_budget_usd=0.0005)
    first = await chain.enrich(sample_call("https://example.org/a"))
    second = await chain.enrich(sample_call("https://example.org/b"))
    await chain.close()
    assert first.enrichment.provider == "openai"
    assert second.enrichment.provider != "openai"
    assert any(
        "presupuesto diario de openai agotado (gastado 0.0009 de 0.0005 USD)" in r
        for r in second.enrichment.review_reasons
    )
    assert len(server.requests) == 1
    assert len(ledger.entries) == 1


async def test_same_call_twice_is_paid_once(server: OpenAICompatibleServer) -> None:
    server.queue(answer(VALID_ANSWER))
    chain, ledger = chain_for(server)
    first = await chain.enrich(sample_call())
    second = await chain.enrich(sample_call())
    await chain.close()
    assert (first.cached, second.cached) == (False, True)
    assert second.enrichment == first.enrichment
    assert len(server.requests) == 1 and len(ledger.entries) == 1


async def test_keyless_compatible_server_and_max_tokens_param(server: OpenAICompatibleServer) -> None:
    got, _ = await enrich(
        server,
        answer(VALID_ANSWER),
        openai_api_key="",
        openai_max_tokens_param="max_tokens",
        openai_temperature=0,
    )
    assert got.provider == "openai"
    [request] = server.requests
    assert request.headers["authorization"] == "Bearer not-needed"
    assert request.body["max_tokens"] == 4000 and request.body["temperature"] == 0


async def test_azure_openai_uses_deployment_path_and_api_version(server: OpenAICompatibleServer) -> None:
    server.queue(answer(VALID_ANSWER))
    settings = openai_settings(server.root, server.model, openai_api_version="2024-10-21")
    chain = build_chain(settings, MemoryEnrichmentCache(), MemoryCostLedger())
    got = (await chain.enrich(sample_call())).enrichment
    await chain.close()
    assert server.problems == []
    assert got.provider == "openai"
    [request] = server.requests
    assert request.path == f"/openai/deployments/{server.model}/chat/completions"
    assert request.query["api-version"] == ["2024-10-21"] and request.headers["api-key"] == TEST_OPENAI_KEY


def test_client_has_no_retries_of_its_own(server: OpenAICompatibleServer) -> None:
    assert build_client(openai_settings(server.url)).max_retries == 0


def test_standard_openai_variables_are_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    standard, boi = "sk-standard-" + secrets.token_hex(16), "sk-boi-" + secrets.token_hex(16)
    monkeypatch.setenv("OPENAI_API_KEY", standard)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BOI_OPENAI_API_KEY", "")
    settings = Settings(enrich_provider="openai")
    assert (settings.openai_key(), settings.openai_url()) == (standard, "http://127.0.0.1:9/v1")
    monkeypatch.setenv("BOI_OPENAI_API_KEY", boi)
    assert Settings(enrich_provider="openai").openai_key() == boi
    assert boi not in repr(Settings(enrich_provider="openai"))
