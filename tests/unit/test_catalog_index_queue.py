"""The index queue's batching and confirmation, against an in-memory engine that behaves like
Meilisearch's task queue (tasks finish in order, when the test says so). The real engine: see
tests/integration/test_catalog_outage.py and the catalog benchmark."""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from boi_catalog.domain.call import CatalogCall
from boi_catalog.ports import TaskOutcome
from boi_catalog.service.indexing import IndexQueue
from boi_shared.errors import PermanentError
from tests.support.catalog_calls import catalog_call
from tests.support.kafka import eventually
from tests.unit.catalog_fakes import FakeRepository


def _call(i: int) -> CatalogCall:
    return catalog_call(
        f"c-{i}",
        url=f"https://example.org/{i}",
        title=f"Beca {i}",
        summary="",
        text="",
        deadline=None,
        funder=None,
        index_pending=True,
    )


class TaskEngine:
    """Enqueued tasks wait until `finish()`; a task holding a document titled "bad" fails as
    Meilisearch fails on an invalid document."""

    def __init__(self) -> None:
        self.tasks: list[list[Mapping[str, Any]]] = []
        self.finished: dict[int, TaskOutcome] = {}
        self.direct: list[list[str]] = []

    async def enqueue(self, documents: Sequence[Mapping[str, Any]]) -> int:
        self.tasks.append(list(documents))
        return len(self.tasks) - 1

    def finish(self) -> None:
        for uid, docs in enumerate(self.tasks):
            if any(d["title"] == "bad" for d in docs):
                self.finished[uid] = TaskOutcome("failed", {"type": "invalid_request"})
            else:
                self.finished.setdefault(uid, TaskOutcome("succeeded"))

    async def task_outcomes(self, uids: Sequence[int]) -> dict[int, TaskOutcome]:
        return {uid: self.finished[uid] for uid in uids if uid in self.finished}

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        ids = [d["id"] for d in documents]
        if any(d["title"] == "bad" for d in documents):
            raise PermanentError("invalid document")
        self.direct.append(ids)


async def _eventually(check: Any) -> None:
    await eventually(check, timeout=3.0, interval=0.01)


async def _running(queue: IndexQueue) -> asyncio.Task[None]:
    task = asyncio.create_task(queue.run())
    await asyncio.sleep(0)
    return task


async def test_a_single_call_is_enqueued_at_once_and_marked_indexed_when_its_task_succeeds() -> None:
    repo, engine = FakeRepository(), TaskEngine()
    queue = IndexQueue(repo, engine, linger_seconds=0.02, max_wait_seconds=60)
    call = _call(1)
    repo.calls[call.call_id] = call
    runner = await _running(queue)
    try:
        await queue.submit([call])
        await _eventually(lambda: len(engine.tasks) == 1)  # a quiet moment: no waiting for a batch
        await asyncio.sleep(0.1)
        assert repo.calls["c-1"].index_pending  # not before the engine confirms
        engine.finish()
        await asyncio.wait_for(queue.drained(), 3)
        assert not repo.calls["c-1"].index_pending
    finally:
        runner.cancel()


async def test_a_burst_becomes_few_tasks_and_nothing_is_lost() -> None:
    repo, engine = FakeRepository(), TaskEngine()
    queue = IndexQueue(repo, engine, linger_seconds=0.05, max_wait_seconds=60, max_batch=10_000)
    calls = [_call(i) for i in range(2000)]
    repo.calls.update({c.call_id: c for c in calls})
    runner = await _running(queue)
    try:
        for i in range(0, 2000, 100):  # a consumer's batches, closer together than the linger
            await queue.submit(calls[i : i + 100])
            await asyncio.sleep(0.005)
        await _eventually(lambda: sum(map(len, engine.tasks)) == 2000)
        assert len(engine.tasks) <= 2
        engine.finish()
        await asyncio.wait_for(queue.drained(), 3)
        assert not [c for c in repo.calls.values() if c.index_pending]
    finally:
        runner.cancel()


async def test_a_steady_stream_is_still_indexed_within_max_wait() -> None:
    repo, engine = FakeRepository(), TaskEngine()
    queue = IndexQueue(repo, engine, linger_seconds=0.05, max_wait_seconds=0.3, max_batch=10**6)
    runner = await _running(queue)
    try:
        for i in range(100):  # never quiet for a whole linger, never a full batch
            await queue.submit([_call(i)])
            await asyncio.sleep(0.01)
            if engine.tasks:
                break
        assert engine.tasks and len(engine.tasks[0]) < 100
    finally:
        runner.cancel()


async def test_a_rejected_task_is_retried_call_by_call_and_only_the_bad_document_is_dropped() -> None:
    repo, engine = FakeRepository(), TaskEngine()
    queue = IndexQueue(repo, engine, linger_seconds=0.02)
    calls = [_call(i) for i in range(4)]
    calls[2] = calls[2].model_copy(update={"title": "bad"})
    repo.calls.update({c.call_id: c for c in calls})
    runner = await _running(queue)
    try:
        await queue.submit(calls)
        await _eventually(lambda: len(engine.tasks) == 1)
        engine.finish()
        await asyncio.wait_for(queue.drained(), 3)
        assert sorted(i for ids in engine.direct for i in ids) == ["c-0", "c-1", "c-3"]
        assert [c.call_id for c in repo.calls.values() if c.index_pending] == ["c-2"]
    finally:
        runner.cancel()


async def test_the_newest_revision_of_a_call_wins_in_the_queue() -> None:
    repo, engine = FakeRepository(), TaskEngine()
    queue = IndexQueue(repo, engine, linger_seconds=0.05)
    old, new = _call(1), _call(1).model_copy(update={"revision": 2, "title": "Nueva"})
    await queue.submit([new])
    await queue.submit([old])  # late delivery of an older revision
    runner = await _running(queue)
    try:
        await _eventually(lambda: len(engine.tasks) == 1)
        assert [d["title"] for d in engine.tasks[0]] == ["Nueva"]
    finally:
        runner.cancel()
