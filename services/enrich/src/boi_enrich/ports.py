"""Ports of the enrich service: where paid answers are cached and what they cost is written down."""

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from boi_shared.events import Enrichment


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
