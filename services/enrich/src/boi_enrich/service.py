"""The use case of the enrich service: enrich one call version with the provider chain.

The chain is chosen by configuration: the first provider that answers wins; one that fails, or whose daily
budget is spent, hands the call to the next. `local` always ends the chain and never fails.

Paid answers are cached under `{provider}:{model}:{taxonomy_version}:{content_hash}` (an unchanged call is
never paid for twice) and every paid enrichment — failed ones included — is written to the cost ledger
before its answer is cached, so that money spent is recorded even if the cache write then fails.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from boi_enrich.domain.injection import guard_injection
from boi_enrich.ports import (
    CostLedger,
    EnrichmentCache,
    EnrichmentProvider,
    LedgerEntry,
    ProviderFailed,
    ProviderResult,
    Usage,
)
from boi_shared.events import CallEnriched, CallIngested, Enrichment, RawCall
from boi_shared.ids import event_id_for
from boi_shared.taxonomy import TAXONOMY_VERSION

log = logging.getLogger("boi.enrich.chain")


class _OverBudget(Exception):
    """The provider's daily budget is spent: skip it (not a failure of the provider)."""


def utc_today() -> date:
    return datetime.now(UTC).date()


def cache_key(provider: EnrichmentProvider, call: RawCall) -> str:
    return f"{provider.name}:{provider.model}:{TAXONOMY_VERSION}:{provider.content_hash(call)}"


class ProviderChain:
    """Enriches a call with the first provider that can. Errors other than `ProviderFailed` (the cache or
    the ledger unavailable) propagate: the message is retried, not enriched without cost control."""

    def __init__(
        self,
        providers: Sequence[EnrichmentProvider],
        *,
        cache: EnrichmentCache,
        ledger: CostLedger,
        budgets: Mapping[str, float] | None = None,
        today: Callable[[], date] = utc_today,
    ) -> None:
        if not providers or providers[-1].name != "local":
            raise ValueError("the provider chain must end with the local provider")
        self.providers = list(providers)
        self.cache = cache
        self.ledger = ledger
        self.budgets = dict(budgets or {})
        self.today = today
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.providers]

    async def enrich(self, call: RawCall) -> ProviderResult:
        notes: list[str] = []
        for position, provider in enumerate(self.providers):
            following = self.providers[position + 1].name if position + 1 < len(self.providers) else "—"
            try:
                if provider.paid:
                    result = await self._paid(provider, call)
                else:
                    result = await provider.enrich(call)
            except _OverBudget as over:
                notes.append(f"{over}: se usó {following}")
                continue
            except ProviderFailed as failed:
                log.warning(
                    "%s failed for %s (%s); trying %s", provider.name, call.url, failed.reason, following
                )
                notes.append(f"{provider.name} falló ({failed.reason}): se usó {following}")
                continue
            return self._finish(call, result, notes)
        raise RuntimeError(f"no provider of {self.names} enriched {call.url}")

    async def _paid(self, provider: EnrichmentProvider, call: RawCall) -> ProviderResult:
        """Cache, budget, call, ledger, cache — once per key at a time in this process, so that the same
        text arriving twice concurrently is paid for once (the second waits and reads the cache)."""
        key = cache_key(provider, call)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                hit = await self.cache.get(key)
                if hit is not None:
                    return ProviderResult(hit, provider.name, provider.model, cached=True)
                await self._check_budget(provider)
                try:
                    result = await provider.enrich(call)
                except ProviderFailed as failed:
                    await self._record(provider, key, failed.usage, "failed")
                    raise
                await self._record(provider, key, result.usage, "ok")
                await self.cache.put(key, result.enrichment)
                return result
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def close(self) -> None:
        """Close the providers that hold connections (the openai HTTP client)."""
        for provider in self.providers:
            close = getattr(provider, "close", None)
            if close is not None:
                await close()

    async def _check_budget(self, provider: EnrichmentProvider) -> None:
        budget = self.budgets.get(provider.name)
        if budget is None:
            return
        spent = await self.ledger.spent(provider.name, self.today())
        if spent >= budget:
            log.warning("%s daily budget spent (%.4f of %.2f USD): skipping it", provider.name, spent, budget)
            raise _OverBudget(
                f"presupuesto diario de {provider.name} agotado (gastado {spent:.4f} de {budget:.4f} USD)"
            )

    async def _record(self, provider: EnrichmentProvider, key: str, usage: Usage, outcome: str) -> None:
        if usage.requests == 0:
            return
        entry = LedgerEntry(
            day=self.today(),
            provider=provider.name,
            model=provider.model,
            cache_key=key,
            requests=usage.requests,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=usage.cost_usd,
            outcome=outcome,
        )
        await self.ledger.record(entry)

    @staticmethod
    def _finish(call: RawCall, result: ProviderResult, notes: list[str]) -> ProviderResult:
        enrichment: Enrichment = guard_injection(call, result.enrichment)
        if notes:
            reasons = list(dict.fromkeys([*enrichment.review_reasons, *notes]))
            enrichment = enrichment.model_copy(update={"needs_review": True, "review_reasons": reasons})
        return replace(result, enrichment=enrichment)


async def enrich_call(event: CallIngested, chain: ProviderChain) -> CallEnriched:
    """Enrich one call version with the first provider of the chain that can.

    The event id is derived from (call, version): a replay publishes the same event, and downstream
    consumers de-duplicate it. A paid answer comes from the cache on a replay, so it costs nothing twice.
    """
    result = await chain.enrich(event.call)
    return CallEnriched(
        event_id=event_id_for("enriched", event.call_id, event.version),
        call_id=event.call_id,
        version=event.version,
        call=event.call,
        enrichment=result.enrichment,
    )
