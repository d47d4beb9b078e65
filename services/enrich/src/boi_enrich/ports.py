"""Ports of the enrich service: the providers that enrich a call, where paid answers are cached and where
what they cost is written down."""

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


@dataclass(frozen=True)
class LedgerEntry:
    """What one enrichment by a paid provider cost (every request, failed ones included)."""

    day: date
    provider: str
    model: str
    cache_key: str
    requests: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    outcome: str


class EnrichmentCache(Protocol):
    """Enrichments already paid for, keyed by provider, model, taxonomy version and content hash."""

    async def get(self, key: str) -> Enrichment | None: ...

    async def put(self, key: str, enrichment: Enrichment) -> None: ...


class CostLedger(Protocol):
    """Token and cost ledger: one entry per paid enrichment, and a running total per provider and day."""

    async def record(self, entry: LedgerEntry) -> None: ...

    async def spent(self, provider: str, day: date) -> float:
        """USD spent on `provider` during `day` (UTC)."""
        ...
