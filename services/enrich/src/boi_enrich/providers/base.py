"""The provider port: what every enrichment provider answers, and how a failing one hands over."""

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from boi_shared.events import Enrichment, RawCall


@dataclass(frozen=True)
class Usage:
    """Tokens and money one enrichment consumed, summed over every request it took."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(
            self.requests + other.requests,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cost_usd + other.cost_usd,
        )


NO_USAGE = Usage()


@dataclass(frozen=True)
class ProviderResult:
    """An enrichment and what it cost; `cached` when it came from the cache and cost nothing now."""

    enrichment: Enrichment
    provider: str
    model: str
    usage: Usage = NO_USAGE
    cached: bool = False


class ProviderFailed(Exception):
    """The provider could not enrich the call even after its own retries and repair: try the next one.

    `reason` is a short Spanish phrase for the curators; `usage` what the failed attempts still cost.
    """

    def __init__(self, reason: str, usage: Usage = NO_USAGE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.usage = usage


class EnrichmentProvider(Protocol):
    """Turns one raw call into an `Enrichment`. Raises `ProviderFailed` to hand over to the next provider;
    any other exception is a failure of the service itself (for example its store is down)."""

    name: str
    model: str
    paid: bool

    async def enrich(self, call: RawCall) -> ProviderResult: ...

    def content_hash(self, call: RawCall) -> str:
        """Hash of everything the provider reads of the call (part of the cache key of paid providers)."""
        ...


class SyncEnricher(Protocol):
    """The offline provider's interface (`boi_enrich.providers.local.LocalProvider`): pure and sync."""

    def enrich(self, call: RawCall, *, reference: date | None = None) -> Enrichment: ...


def default_local() -> SyncEnricher:
    try:
        from boi_enrich.providers.local import LocalProvider
    except ImportError:  # the full offline provider is not installed: the minimal one stands in
        return _MinimalEnricher()
    provider: SyncEnricher = LocalProvider()
    return provider


class _MinimalEnricher:
    def enrich(self, call: RawCall, *, reference: date | None = None) -> Enrichment:
        from boi_enrich.domain.minimal import enrich_minimal

        return enrich_minimal(call)


class LocalAdapter:
    """The offline provider behind the async port. It never pays and never fails for lack of a service.

    A deadline without a year is read relative to the call's publication date when the source gave one,
    so a replay enriches the same text the same way.
    """

    name = "local"
    paid = False

    def __init__(self, enricher: SyncEnricher | None = None, model: str = "rules") -> None:
        self._enricher = enricher if enricher is not None else default_local()
        self.model = model

    def content_hash(self, call: RawCall) -> str:
        return hashlib.sha256(f"{call.title}\n{call.text}\n{call.published_at}".encode()).hexdigest()

    async def enrich(self, call: RawCall) -> ProviderResult:
        reference = call.published_at.date() if call.published_at else None
        enrichment = self._enricher.enrich(call, reference=reference)
        return ProviderResult(enrichment, provider=self.name, model=self.model)
