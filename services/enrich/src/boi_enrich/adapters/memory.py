"""In-memory cache and ledger: for `boi enrich try --no-store` and tests. Nothing survives the process."""

from collections import defaultdict
from datetime import date

from boi_enrich.ports import LedgerEntry
from boi_shared.events import Enrichment


class MemoryEnrichmentCache:
    def __init__(self) -> None:
        self.items: dict[str, Enrichment] = {}

    async def get(self, key: str) -> Enrichment | None:
        return self.items.get(key)

    async def put(self, key: str, enrichment: Enrichment) -> None:
        self.items[key] = enrichment


class MemoryCostLedger:
    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []
        self.totals: dict[tuple[str, date], float] = defaultdict(float)

    async def record(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)
        self.totals[(entry.provider, entry.day)] += entry.cost_usd

    async def spent(self, provider: str, day: date) -> float:
        return self.totals.get((provider, day), 0.0)
