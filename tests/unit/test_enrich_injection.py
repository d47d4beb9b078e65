"""Prompt-injection corpus (tests/fixtures/injection/cases.json) through the chain: with the local provider,
and with the openai provider against the local test server answering as if the model had obeyed."""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from boi_enrich.adapters.local import LocalProvider
from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.app import build_chain
from boi_enrich.domain.deadlines import spanish_date
from boi_enrich.domain.injection import REASON as INJECTION_REASON
from boi_enrich.domain.injection import find_injections
from boi_enrich.domain.prompt import neutralize
from boi_enrich.service import ProviderChain
from boi_shared.events import Enrichment, RawCall, SourceRef
from tests.support.enrich_samples import openai_settings
from tests.support.openai_server import OpenAICompatibleServer, answer, openai_server

CORPUS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "injection" / "cases.json").read_text(encoding="utf-8")
)
CASES: list[dict[str, Any]] = CORPUS["cases"]
BASES: dict[str, dict[str, str]] = CORPUS["bases"]


def make_call(base: str, case: dict[str, Any] | None = None) -> RawCall:
    b = BASES[base]
    title, text = b["title"], b["text"]
    if case is not None:
        injection, position = case["injection"], case["position"]
        if position == "title":
            title += injection
        elif position == "start":
            text = f"{injection} {text}"
        elif position == "end":
            text = f"{text} {injection}"
        else:
            first, rest = text.split(". ", 1)
            text = f"{first}. {injection} {rest}"
    url = f"https://example.org/{base}"
    return RawCall(
        url=url,
        title=title,
        text=text,
        language=b["language"],
        content_hash=base,
        sources=[SourceRef(source_id="t", source_type="manual", item_url=url)],
    )


def neutral_answer(call: RawCall) -> dict[str, Any]:
    """What a model that reads the call as data answers here: little, and nothing from the injection."""
    return {
        "title_es": BASES[next(k for k in BASES if call.url.endswith(k))]["title"],
        "summary_es": "Resumen de la convocatoria.",
        "call_type": None,
        "sectors": [],
        "ods": [],
        "audience": [],
        "modality": None,
        "countries": [],
        "colombia_eligible": "sin_dato",
        "deadline": None,
        "deadline_tz": None,
        "opening_date": None,
        "amount": None,
        "currency": None,
        "funder": None,
        "required_documents": [],
        "language": call.language,
        "evidence": [],
        "needs_review": False,
        "review_reasons": [],
    }


def obeyed_answer(call: RawCall, case: dict[str, Any]) -> dict[str, Any]:
    """A model that follows the injection, quoting the injected text as its evidence."""
    sentence = case["injection"].strip(" —\n")
    result = {**neutral_answer(call), **case["obeyed"]}
    fields = [f for f in case["obeyed"] if f != "currency"]
    result["evidence"] = [{"field": f, "sentence": sentence, "confidence": 0.99} for f in fields]
    return result


def local_chain() -> ProviderChain:
    return ProviderChain([LocalProvider()], cache=MemoryEnrichmentCache(), ledger=MemoryCostLedger())


def test_corpus_is_big_and_bilingual() -> None:
    assert len(CASES) >= 12
    assert {BASES[c["base"]]["language"] for c in CASES} == {"es", "en"}
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("base", sorted(BASES))
def test_clean_bases_are_not_flagged(base: str) -> None:
    call = make_call(base)
    assert find_injections(f"{call.title}\n{call.text}") == []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_local_provider_ignores_the_injection_and_flags_it(case: dict[str, Any]) -> None:
    chain = local_chain()
    clean = (await chain.enrich(make_call(case["base"]))).enrichment
    injected = (await chain.enrich(make_call(case["base"], case))).enrichment
    assert INJECTION_REASON not in clean.review_reasons
    assert injected.needs_review and INJECTION_REASON in injected.review_reasons
    for field in case["must_not_change"]:
        # Never a value the clean call does not have. Losing a value next to an injected sentence is the
        # conservative failure (the call is in review anyway) and is allowed here.
        assert getattr(injected, field) in (getattr(clean, field), NOT_STATED[field]), field


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_an_injected_deadline_never_reaches_the_summary(case: dict[str, Any]) -> None:
    """The summary's facts sentence states the deadline the rules chose: an injected sentence must be out of
    their reach before they read the call, not only taken back afterwards (the JSON payload's 2099 date once
    stayed in the summary after the deadline field was reset)."""
    got = (await local_chain().enrich(make_call(case["base"], case))).enrichment
    for value in (case["obeyed"].get("deadline"), "2099-12-31", "2099-01-01"):
        if value is not None:
            assert spanish_date(date.fromisoformat(value)) not in f"{got.title_es} {got.summary_es}"


NOT_STATED = {name: f.get_default(call_default_factory=True) for name, f in Enrichment.model_fields.items()}


@pytest.fixture(scope="module")
def server() -> Iterator[OpenAICompatibleServer]:
    with openai_server() as srv:
        yield srv


async def _openai(server: OpenAICompatibleServer, call: RawCall, reply: dict[str, Any]) -> Enrichment:
    server.reset()
    server.queue(answer(reply))
    chain = build_chain(
        openai_settings(server.url, server.model), MemoryEnrichmentCache(), MemoryCostLedger()
    )
    try:
        result = await chain.enrich(call)
    finally:
        await chain.close()
    assert server.problems == []
    assert result.provider == "openai"
    return result.enrichment


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
async def test_openai_gets_the_injection_as_data_and_its_effect_is_taken_back(
    server: OpenAICompatibleServer, case: dict[str, Any]
) -> None:
    clean_call, call = make_call(case["base"]), make_call(case["base"], case)
    clean = await _openai(server, clean_call, neutral_answer(clean_call))
    assert INJECTION_REASON not in clean.review_reasons
    got = await _openai(server, call, obeyed_answer(call, case))
    [request] = server.requests
    quoted = " ".join(neutralize(case["injection"]).split())
    assert quoted in " ".join(request.data_block.split())
    assert quoted not in " ".join(request.system.split())
    assert got.needs_review and INJECTION_REASON in got.review_reasons
    for field in {*case["must_not_change"], *case["obeyed"]}:
        assert getattr(got, field) == getattr(clean, field), field
