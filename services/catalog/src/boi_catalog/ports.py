"""Ports of the catalog's use cases: where calls are stored, indexed and announced, where impressions go."""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from boi_catalog.domain.call import CatalogCall
from boi_shared.events import CallPublished, ImpressionRecorded

UpsertOutcome = Literal["new", "updated", "same", "stale"]
# Announces a change of a public call on calls.published.v1 (returns once Kafka acknowledged it).
Announce = Callable[[CallPublished], Awaitable[None]]


class ConflictError(Exception):
    """Another writer changed the call since it was read: read it again and retry."""


class CallRepository(Protocol):
    """The calls of record (the source of truth), one document per call."""

    async def get(self, call_id: str) -> CatalogCall | None: ...

    async def upsert(self, call: CatalogCall) -> UpsertOutcome:
        """Store `call` unless a newer version is stored: "new" (first version stored), "updated"
        (replaced an older version), "same" (that version was already stored: a replay) or "stale"
        (a newer version is stored, nothing written)."""
        ...

    async def save(self, call: CatalogCall, expected_revision: int | None) -> None:
        """Compare-and-set: insert when `expected_revision` is None, else replace the stored call only
        if its revision is still `expected_revision`; raise `ConflictError` otherwise."""
        ...

    async def awaiting_review(self, *, limit: int, offset: int = 0) -> list[CatalogCall]:
        """The review queue (`CatalogCall.awaits_curator`), the most recently updated first."""
        ...

    async def public_calls(self, *, limit: int) -> list[CatalogCall]:
        """Calls the public may find (publicada, cierra_pronto), the most recently updated first."""
        ...

    async def public_closing_by(self, day: date, *, limit: int) -> list[CatalogCall]:
        """Public calls whose deadline is `day` or earlier (the calendar's candidates)."""
        ...

    async def mark_indexed(self, calls: Sequence[tuple[str, int]]) -> None:
        """Clear `index_pending` of each (call_id, revision) still at that revision (a newer write
        stays pending)."""
        ...

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, CatalogCall]:
        """The stored calls among `call_ids`, by id (one round trip)."""
        ...

    async def insert_many(self, calls: Sequence[CatalogCall]) -> set[str]:
        """Insert calls not stored yet (one round trip); returns the ids inserted."""
        ...

    def scan(self, batch_size: int) -> AsyncIterator[list[CatalogCall]]:
        """Every call, in `_id` order, in batches (reindexing)."""
        ...

    async def pending(self, *, limit: int) -> list[CatalogCall]:
        """Calls whose last write is not confirmed indexed yet."""
        ...

    async def count(self) -> int:
        """How many calls are stored, in any status."""
        ...

    async def log(self, entry: Mapping[str, Any]) -> None:
        """Append to the audit log (who did what to which call, when)."""
        ...

    async def audit_log(self, *, limit: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class TaskOutcome:
    """How an indexing task ended: `succeeded`, `failed` or `canceled`, with the engine's error."""

    status: str
    error: dict[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"

    @property
    def rejected(self) -> bool:
        """The engine refused the documents themselves (retrying the same ones cannot help)."""
        return self.status == "failed" and (self.error or {}).get("type") == "invalid_request"


class SearchIndex(Protocol):
    """The public search index, derived from the repository and rebuildable from it (written here; the
    site and API search it through `web.public_search`). Unavailability raises `TransientError`,
    documents the engine refuses `PermanentError`."""

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace documents and return once they are searchable."""
        ...

    async def enqueue(self, documents: Sequence[Mapping[str, Any]]) -> int:
        """Enqueue one add-or-replace task without waiting for it; returns its uid (tasks run in order)."""
        ...

    async def task_outcomes(self, task_uids: Sequence[int]) -> dict[int, TaskOutcome]:
        """The tasks among `task_uids` that have finished, and how."""
        ...


class Indexer(Protocol):
    """Makes stored calls searchable soon, without ever blocking a caller on the search engine: calls
    stay `index_pending` in the repository until their index write succeeded."""

    async def submit(self, calls: Sequence[CatalogCall]) -> None: ...


class ImpressionSink(Protocol):
    """Where impressions of calls are reported (best effort: failures are logged, not raised)."""

    async def record(self, impressions: Sequence[ImpressionRecorded]) -> None: ...


class ConsoleUserStore(Protocol):
    """Console users added at run time (`boi console user add`), beside those of settings."""

    async def all(self) -> dict[str, tuple[str, str]]:
        """{name: (role, PBKDF2 hash)}."""
        ...

    async def put(self, name: str, role: str, encoded: str) -> None: ...

    async def remove(self, name: str) -> bool: ...


class EditorialStore(Protocol):
    """The office's editorial work: day plans and weekly bulletins (`kind` "day" / "week"), and the
    outbox of social drafts."""

    async def put_plan(self, kind: str, key: str, plan: Mapping[str, Any]) -> None: ...

    async def get_plan(self, kind: str, key: str) -> dict[str, Any] | None: ...

    async def plans(self, kind: str, status: str | None = None, *, limit: int = 200) -> list[dict[str, Any]]:
        """Plans of `kind` (in `status` if given), newest key first."""
        ...

    async def add_drafts(self, drafts: Sequence[Mapping[str, Any]]) -> None:
        """Store new drafts (keyed by `_id`); one already stored is left untouched."""
        ...

    async def drafts(self, *, limit: int = 200) -> list[dict[str, Any]]: ...

    async def get_draft(self, draft_id: str) -> dict[str, Any] | None: ...

    async def update_draft(self, draft_id: str, fields: Mapping[str, Any]) -> None: ...


class ViewCounts(Protocol):
    """Views so far per call (`call_view` impressions), for the bulletin's score; {} when unknown."""

    async def views(self) -> dict[str, int]: ...


class VisitorSalts(Protocol):
    """The random salt of each UTC day for visitor ids, shared by the replicas, deleted after 48 h."""

    async def salt_for(self, day: date) -> bytes: ...
