"""Ports of the catalog's use cases: where calls are stored, indexed and where impressions go."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from boi_catalog.domain.call import CatalogCall
from boi_shared.events import ImpressionRecorded

UpsertOutcome = Literal["new", "updated", "same", "stale"]


class CallRepository(Protocol):
    """The calls of record (the source of truth), one document per call."""

    async def get(self, call_id: str) -> CatalogCall | None: ...

    async def upsert(self, call: CatalogCall) -> UpsertOutcome:
        """Store `call` unless a newer version is stored: "new" (first version stored), "updated"
        (replaced an older version), "same" (that version was already stored: a replay) or "stale"
        (a newer version is stored, nothing written)."""
        ...


@dataclass(frozen=True)
class IndexHits:
    total: int
    hits: list[dict[str, Any]]


class SearchIndex(Protocol):
    """The public search index, derived from the repository and rebuildable from it."""

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents and return once they are searchable."""
        ...

    async def search(
        self, query: str, *, filter: str, limit: int, offset: int, sort: list[str] | None = None
    ) -> IndexHits: ...


class ImpressionSink(Protocol):
    """Where impressions of calls are reported (best effort: failures are logged, not raised)."""

    async def record(self, impressions: Sequence[ImpressionRecorded]) -> None: ...
