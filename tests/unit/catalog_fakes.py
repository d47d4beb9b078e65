"""In-memory fakes of the catalog's ports, for unit tests of its use cases."""

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import search_document
from boi_catalog.ports import ConflictError, IndexHits, UpsertOutcome
from boi_shared.events import CallPublished


def _matches(doc: Mapping[str, Any], query: Mapping[str, Any]) -> bool:
    for key, cond in query.items():
        if key == "$or":
            if not any(_matches(doc, q) for q in cond):
                return False
            continue
        value = doc.get(key)
        if isinstance(cond, dict):
            if "$in" in cond and value not in cond["$in"]:
                return False
            if "$lte" in cond and (value is None or value > cond["$lte"]):
                return False
        elif value != cond:
            return False
    return True


class FakeRepository:
    def __init__(self) -> None:
        self.calls: dict[str, CatalogCall] = {}
        self.outcomes: list[UpsertOutcome] = []
        self.audit: list[dict[str, Any]] = []
        self.plans: dict[str, dict[str, Any]] = {}

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

    async def find(
        self, query: Mapping[str, Any], *, limit: int, offset: int = 0, sort: str = "updated_at"
    ) -> list[CatalogCall]:
        found = [c for c in self.calls.values() if _matches(c.model_dump(), query)]
        found.sort(key=lambda c: getattr(c, sort), reverse=True)
        return found[offset : offset + limit]

    async def pending(self, *, limit: int) -> list[CatalogCall]:
        return [c for c in self.calls.values() if c.index_pending][:limit]

    async def count(self, query: Mapping[str, Any]) -> int:
        return len(await self.find(query, limit=10**9))

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

    async def put_plan(self, kind: str, key: str, plan: Mapping[str, Any]) -> None:
        self.plans[f"{kind}:{key}"] = dict(plan)

    async def get_plan(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.plans.get(f"{kind}:{key}")


class FakeIndex:
    """Both a `SearchIndex` and an `Indexer` (indexes submitted calls at once)."""

    def __init__(self) -> None:
        self.documents: dict[str, Mapping[str, Any]] = {}
        self.writes = 0
        self.searches: list[dict[str, Any]] = []

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        self.writes += 1
        self.documents.update({d["id"]: d for d in documents})

    async def submit(self, calls: Sequence[CatalogCall]) -> None:
        await self.index([search_document(c) for c in calls])

    async def search(
        self, query: str, *, filter: str, limit: int, offset: int, sort: list[str] | None = None
    ) -> IndexHits:
        self.searches.append({"q": query, "filter": filter, "limit": limit, "offset": offset, "sort": sort})
        hits = [dict(d) for d in self.documents.values()][offset : offset + limit]
        return IndexHits(total=len(self.documents), hits=hits)


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
