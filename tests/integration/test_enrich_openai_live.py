"""The openai provider against the real API: runs only when OPENAI_API_KEY is set (it costs a little).

Model, base URL and prices come from BOI_OPENAI_* / OPENAI_BASE_URL as in production.
"""

import os

import pytest

from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.app import build_chain
from boi_enrich.settings import Settings
from tests.support.enrich_samples import sample_call

pytestmark = pytest.mark.skipif(not os.environ.get("OPENAI_API_KEY"), reason="OPENAI_API_KEY is not set")


async def test_live_openai_enriches_the_sample_call() -> None:
    ledger = MemoryCostLedger()
    chain = build_chain(
        Settings(enrich_provider="openai", enrich_fallback=["local"]), MemoryEnrichmentCache(), ledger
    )
    try:
        result = await chain.enrich(sample_call())
    finally:
        await chain.close()
    got = result.enrichment
    assert got.provider == "openai", got.review_reasons
    assert got.call_type == "beca"
    assert got.deadline is None or got.deadline.isoformat() == "2026-07-31"
    assert got.colombia_eligible in ("si", "sin_dato")
    [entry] = ledger.entries
    assert entry.input_tokens > 0 and entry.output_tokens > 0
