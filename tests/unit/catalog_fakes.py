"""In-memory fakes of the catalog's ports, for unit tests of its use cases."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import date
from typing import Any

from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import search_document
from boi_catalog.ports import ConflictError, UpsertOutcome
from boi_shared.events import CallPublished


class FakeRepository:
    def __init__(self) -> None:
        self.calls: dict[str, CatalogCall] = {}
        self.outcomes: list[UpsertOutcome] = []
        self.audit: list[dict[str, Any]] = []

    async def get(self, call_id: str) -> CatalogCall | None:
        return self.calls.get(call_id)

    async def upsert(self, call: CatalogCall) -> UpsertOutcome:
        stored = self.calls.get(call.call_id)
        outcome: UpsertOutcome
        if stored is None:
            outcome = "new"
        elif stored.version > call.version:
            outcome = "stale"
        else:
            outcome = "same" if stored.version == call.version else "updated"
        if outcome != "stale":
            self.calls[call.call_id] = call
        self.outcomes.append(outcome)
        return outcome

    async def save(self, call: CatalogCall, expected_revision: int | None) -> None:
        stored = self.calls.get(call.call_id)
        if (stored is None) != (expected_revision is None):
            raise ConflictError(call.call_id)
        if stored is not None and stored.revision != expected_revision:
            raise ConflictError(call.call_id)
        self.outcomes.append("new" if stored is None else "updated")
        self.calls[call.call_id] = call

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, CatalogCall]:
        return {i: self.calls[i] for i in call_ids if i in self.calls}

    async def insert_many(self, calls: Sequence[CatalogCall]) -> set[str]:
        fresh = {c.call_id: c for c in calls if c.call_id not in self.calls}
        self.calls.update(fresh)
        return set(fresh)

    def _newest_first(self, keep: Callable[[CatalogCall], bool]) -> list[CatalogCall]:
        return sorted(filter(keep, self.calls.values()), key=lambda c: c.updated_at, reverse=True)

    async def awaiting_review(self, *, limit: int, offset: int = 0) -> list[CatalogCall]:
        return self._newest_first(lambda c: c.awaits_curator)[offset : offset + limit]

    async def public_calls(self, *, limit: int) -> list[CatalogCall]:
        return self._newest_first(lambda c: c.is_public)[:limit]

    async def public_closing_by(self, day: date, *, limit: int) -> list[CatalogCall]:
        due = self._newest_first(lambda c: c.is_public and c.deadline is not None)
        return [c for c in due if c.deadline is not None and c.deadline <= day.isoformat()][:limit]

    async def pending(self, *, limit: int) -> list[CatalogCall]:
        return [c for c in self.calls.values() if c.index_pending][:limit]

    async def count(self) -> int:
        return len(self.calls)

    async def mark_indexed(self, calls: Sequence[tuple[str, int]]) -> None:
        for call_id, revision in calls:
            stored = self.calls.get(call_id)
            if stored is not None and stored.revision == revision:
                self.calls[call_id] = stored.model_copy(update={"index_pending": False})

    async def scan(self, batch_size: int) -> AsyncIterator[list[CatalogCall]]:
        ordered = sorted(self.calls.values(), key=lambda c: c.call_id)
        for i in range(0, len(ordered), batch_size):
            yield ordered[i : i + batch_size]

    async def log(self, entry: Mapping[str, Any]) -> None:
        self.audit.append(dict(entry))

    async def audit_log(self, *, limit: int) -> list[dict[str, Any]]:
        return list(reversed(self.audit))[:limit]


class FakeIndex:
    """An `Indexer` that indexes submitted calls at once, and the documents of the index."""

    def __init__(self) -> None:
        self.documents: dict[str, Mapping[str, Any]] = {}
        self.writes = 0

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        self.writes += 1
        self.documents.update({d["id"]: d for d in documents})

    async def submit(self, calls: Sequence[CatalogCall]) -> None:
        await self.index([search_document(c) for c in calls])


class Announcements(list[CallPublished]):
    async def __call__(self, event: CallPublished) -> None:
        self.append(event)


class FakeEditorialStore:
    """In-memory `EditorialStore`: plans by `kind:key`, drafts by `_id` (an existing draft is kept)."""

    def __init__(self) -> None:
        self.plan_docs: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}

    async def put_plan(self, kind: str, key: str, plan: Mapping[str, Any]) -> None:
        self.plan_docs[f"{kind}:{key}"] = {**plan, "kind": kind, "key": key}

    async def get_plan(self, kind: str, key: str) -> dict[str, Any] | None:
        plan = self.plan_docs.get(f"{kind}:{key}")
        return dict(plan) if plan else None

    async def plans(self, kind: str, status: str | None = None, *, limit: int = 200) -> list[dict[str, Any]]:
        found = [
            p for p in self.plan_docs.values() if p["kind"] == kind and status in (None, p.get("status"))
        ]
        return sorted(found, key=lambda p: p["key"], reverse=True)[:limit]

    async def add_drafts(self, drafts: Sequence[Mapping[str, Any]]) -> None:
        for d in drafts:
            self.posts.setdefault(d["_id"], dict(d))

    async def drafts(self, *, limit: int = 200) -> list[dict[str, Any]]:
        return list(self.posts.values())[:limit]

    async def get_draft(self, draft_id: str) -> dict[str, Any] | None:
        return self.posts.get(draft_id)

    async def update_draft(self, draft_id: str, fields: Mapping[str, Any]) -> None:
        self.posts[draft_id].update(fields)


class FakeImpressions(list[Any]):
    async def record(self, impressions: Sequence[Any]) -> None:
        self.extend(impressions)
