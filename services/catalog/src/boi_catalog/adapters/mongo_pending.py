"""The `index_pending` markers of the calls of record: one marker per write listing its calls and
revisions (a consumer batch costs one marker), deleted once every call in it is indexed at that revision
or a later one. A marker lists its calls in one string, `"call_id:revision call_id:revision …"`:
FerretDB decodes every marker a delete scans, and 500 sub-documents a marker made deleting 200 markers
cost 12 s of its CPU (0.6 s as one string)."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pymongo import DeleteOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import ConnectionFailure

from boi_shared.errors import TransientError

T = TypeVar("T")


async def guard(op: Callable[[], Awaitable[T]]) -> T:
    """Run a MongoDB operation; a lost connection surfaces as `TransientError`."""
    try:
        return await op()
    except ConnectionFailure as exc:
        raise TransientError(f"MongoDB unavailable: {exc}") from exc


def _marker_calls(pairs: Sequence[tuple[str, int]]) -> str:
    return " ".join(f"{call_id}:{revision}" for call_id, revision in pairs)


def _marker_pairs(calls: str | list[dict[str, Any]]) -> list[tuple[str, int]]:
    """The (call_id, revision) pairs of a marker; also reads markers written before the string form
    (a list of {"id", "rev"}), so an upgrade re-indexes what an older version left pending."""
    if isinstance(calls, list):
        return [(str(c["id"]), int(c["rev"])) for c in calls]
    return [(call_id, int(revision)) for call_id, _, revision in (p.rpartition(":") for p in calls.split())]


class PendingMarkers:
    """The markers in `collection`, and which of them this process still waits on."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._pending = collection
        self._open: dict[str, set[tuple[str, int]]] = {}  # marker → its calls not indexed yet
        self._by_call: dict[str, set[tuple[int, str]]] = {}  # call → (revision, marker)

    def _track(self, marker_id: str, pairs: Sequence[tuple[str, int]]) -> None:
        self._open[marker_id] = set(pairs)
        for call_id, revision in pairs:
            self._by_call.setdefault(call_id, set()).add((revision, marker_id))

    async def add(self, pairs: Sequence[tuple[str, int]]) -> None:
        """One marker per write (a consumer batch is one write)."""
        if not pairs:
            return
        marker_id = uuid.uuid4().hex
        marker = {"_id": marker_id, "calls": _marker_calls(pairs)}
        await guard(lambda: self._pending.insert_one(marker))
        self._track(marker_id, pairs)

    async def indexed(self, calls: Sequence[tuple[str, int]]) -> None:
        # That revision and older ones of each call are indexed; a marker goes once all its calls are.
        finished = []
        for call_id, revision in calls:
            entries = self._by_call.get(call_id, set())
            for rev, marker_id in [e for e in entries if e[0] <= revision]:
                entries.discard((rev, marker_id))
                remaining = self._open.get(marker_id)
                if remaining is not None:
                    remaining.discard((call_id, rev))
                    if not remaining:
                        del self._open[marker_id]
                        finished.append(marker_id)
            if not entries:
                self._by_call.pop(call_id, None)
        if finished:
            # One delete per marker by `_id` (FerretDB scans the whole collection for `$in`: 0.2 s a
            # call with 40 markers of 500 calls each), all in one round trip.
            deletes = [DeleteOne({"_id": marker_id}) for marker_id in finished]
            await guard(lambda: self._pending.bulk_write(deletes, ordered=False))

    async def call_ids(self, *, limit: int) -> list[str]:
        """Calls named by the markers left by this process or by one that stopped before indexing them."""
        markers = await guard(lambda: self._pending.find({}).limit(max(1, limit // 100)).to_list())
        call_ids: set[str] = set()
        for marker in markers:
            pairs = _marker_pairs(marker["calls"])
            if marker["_id"] not in self._open:
                self._track(marker["_id"], pairs)
            call_ids.update(c for c, _ in pairs)
        return sorted(call_ids)[:limit]
