"""In-memory stand-ins for the metrics batch ports, for unit tests of the batch rule (the real stores are
tested on FerretDB in tests/integration). The guard is the one the MongoDB filter expresses: a document's
write applies only when, for every partition it takes records from, the stored watermark is below the
first of them."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from boi_metrics.domain.batch import DocWrite, Marks, Plan
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.domain.rollups import CallDims


class FakeBatchRollups:
    """`BatchRollups` on dicts. `crash_after` collections written, the next write raises (a process dying
    between bulk writes); `moved` makes the next write find a document moved (a lost race)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, dict[str, Any]]] = {"calls": {}, "call_days": {}, "days": {}}
        self.seen: dict[str, RecordPosition] = {}
        self.crash_after: int | None = None
        self.moved = 0
        self.writes = 0

    def _marks(self, name: str, ids: set[str]) -> dict[str, dict[int, int]]:
        docs = self.docs[name]
        return {i: dict(docs[i]["offsets"]) for i in ids if i in docs}

    async def watermarks(self, calls: set[str], call_days: set[str], days: set[str]) -> Marks:
        return Marks(
            self._marks("calls", calls), self._marks("call_days", call_days), self._marks("days", days)
        )

    async def claim(self, wanted: Mapping[str, tuple[date, RecordPosition]]) -> dict[str, RecordPosition]:
        for key, (_, pos) in wanted.items():
            self.seen.setdefault(key, pos)
        return {key: self.seen[key] for key in wanted}

    async def write(self, batch: Plan) -> bool:
        self.writes += 1
        if self.moved:
            self.moved -= 1
            return False
        missed = 0
        for n, (name, writes) in enumerate(
            (("calls", batch.calls), ("call_days", batch.call_days), ("days", batch.days))
        ):
            if self.crash_after is not None and n >= self.crash_after:
                self.crash_after = None
                raise ConnectionError("the process died between two bulk writes")
            missed += sum(not self._apply(name, w) for w in writes)
        return missed == 0

    def _apply(self, name: str, write: DocWrite) -> bool:
        doc = self.docs[name].setdefault(write.doc_id, {"offsets": {}, "n": defaultdict(int)})
        if any(doc["offsets"].get(p, -1) >= o for p, o in write.first.items()):
            return False  # the guard misses: nothing moves (in MongoDB: a duplicate key, then a re-plan)
        doc["offsets"].update(write.last)
        doc.update(write.fields)
        for key, n in write.increments.items():
            doc["n"][key] += n
        return True

    def counters(self) -> dict[str, dict[str, dict[str, int]]]:
        """Every document's counters, without watermarks."""
        return {
            name: {i: {k: v for k, v in d["n"].items() if v} for i, d in docs.items()}
            for name, docs in self.docs.items()
        }


class FakeCallDirectory:
    def __init__(self, dims: dict[str, CallDims] | None = None) -> None:
        self.known = dims or {}
        self.queries = 0

    async def dims_many(self, call_ids: set[str]) -> dict[str, CallDims]:
        self.queries += 1
        return {c: self.known.get(c, CallDims()) for c in call_ids}
