"""Batched indexing: stored calls are queued here and written to Meilisearch as tasks, then marked
indexed in MongoDB once their task succeeded.

Meilisearch merges every task waiting in its queue into its next batch, so the queue enqueues calls as
they come (a task once nothing arrived for `linger`, a batch is full, or a call waited `max_wait`) and
never waits for the engine between tasks: the engine is never idle while calls wait, and each of its
batches holds everything that arrived while it worked on the previous one. One confirmer polls all the
outstanding tasks in a single request and marks their calls indexed, in order.

The consumer never waits for Meilisearch: while it is down, calls keep flowing into MongoDB marked
`index_pending`, the queue backs off, and the sweeper (`jobs.reindex_pending`) re-queues what is still
pending from MongoDB, so nothing is lost across restarts either.
"""

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence

from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import search_document
from boi_catalog.ports import CallRepository, SearchIndex, TaskOutcome
from boi_shared.errors import PermanentError, TransientError

log = logging.getLogger("boi.catalog.indexing")
TASK_TIMEOUT_S = 600.0
"""A big task on a big index can take minutes when the machine is busy; giving up only re-indexes."""


class IndexQueue:
    """`Indexer` that coalesces calls (the newest revision of each wins) into batched index tasks."""

    def __init__(
        self,
        repository: CallRepository,
        index: SearchIndex,
        *,
        max_batch: int = 5000,
        max_queued: int = 50_000,
        linger_seconds: float = 0.05,
        max_wait_seconds: float = 10.0,
        in_flight: int = 64,
    ) -> None:
        self._repository = repository
        self._index = index
        self._max_batch = max_batch
        self._max_queued = max_queued
        self._linger = linger_seconds
        self._max_wait = max_wait_seconds
        self._submitted = 0  # calls submitted so far (tells a quiet moment from a burst)
        self._oldest = 0.0  # when the oldest call still queued arrived
        self._slots = asyncio.Semaphore(in_flight)  # tasks enqueued and not confirmed yet
        self._outstanding: deque[tuple[int, list[CatalogCall], float]] = deque()
        self._enqueued = asyncio.Event()
        self._queued: dict[str, CatalogCall] = {}
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.healthy = True
        self.needs_sweep = True  # some calls may be pending in MongoDB (at start-up: after a crash)

    async def submit(self, calls: Sequence[CatalogCall]) -> None:
        for call in calls:
            queued = self._queued.get(call.call_id)
            if queued is not None and queued.revision > call.revision:
                continue
            if queued is None and len(self._queued) >= self._max_queued:
                self.needs_sweep = True  # stays index_pending in MongoDB; the sweeper brings it back
                continue
            if not self._queued:
                self._oldest = time.monotonic()
            self._queued[call.call_id] = call
        self._submitted += len(calls)
        if self._queued:
            self._idle.clear()
            self._wakeup.set()

    @property
    def queued(self) -> int:
        return len(self._queued)

    async def drained(self) -> None:
        """Return once everything queued so far has been flushed (or given up on)."""
        await self._idle.wait()

    def _settle(self) -> None:
        if not self._queued and not self._outstanding:
            self._idle.set()

    async def run(self) -> None:
        """Flush forever (run as a task; cancel to stop)."""
        confirmer = asyncio.create_task(self._confirm_forever())
        try:
            await self._flush_forever()
        finally:
            confirmer.cancel()
            await asyncio.gather(confirmer, return_exceptions=True)

    async def _flush_forever(self) -> None:
        delay = 0.5
        while True:
            await self._wakeup.wait()
            await self._gather()
            # Taken once a task may be enqueued, the batch holds all that arrived meanwhile.
            await self._slots.acquire()
            batch = list(self._queued.values())[: self._max_batch]
            for call in batch:
                del self._queued[call.call_id]
            if self._queued:
                self._oldest = time.monotonic()
            else:
                self._wakeup.clear()
            try:
                await self._enqueue(batch)
                delay, self.healthy = 0.5, True
            except TransientError as exc:
                self.healthy = False
                log.warning("index unavailable, %d calls stay pending: %s", len(batch), exc)
                await self.submit(batch)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            except Exception:
                self.needs_sweep = True
                log.exception("index write failed for %d calls; they stay pending", len(batch))
            self._settle()

    async def _gather(self) -> None:
        """Wait until the queue is worth a task: a quiet moment (nothing submitted for `linger`: a
        single call is searchable at once), a full batch, or a call that waited `max_wait`."""
        while True:
            seen = self._submitted
            await asyncio.sleep(self._linger)
            if (
                self._submitted == seen
                or len(self._queued) >= self._max_batch
                or time.monotonic() - self._oldest >= self._max_wait
            ):
                return

    async def _enqueue(self, batch: list[CatalogCall]) -> None:
        """Enqueue one task holding `batch`; its slot is released once the task is confirmed."""
        if not batch:
            self._slots.release()
            return
        try:
            task_uid = await self._index.enqueue([search_document(c) for c in batch])
        except BaseException:
            self._slots.release()
            raise
        self._outstanding.append((task_uid, batch, time.monotonic()))
        self._enqueued.set()

    async def _confirm_forever(self) -> None:
        """Poll the outstanding tasks (one request for all of them) and settle those that finished,
        in order: every 50 ms at first, for a single call to be searchable at once, then less and
        less often, up to every 0.5 s, while big batches run."""
        delay = 0.05
        while True:
            if not self._outstanding:
                self._enqueued.clear()
                await self._enqueued.wait()
                delay = 0.05
            uids = [uid for uid, _, _ in self._outstanding]
            try:
                outcomes = await self._index.task_outcomes(uids)
            except TransientError as exc:
                outcomes = {}
                log.warning("cannot read the state of %d indexing tasks: %s", len(uids), exc)
            settled = False
            while self._outstanding:
                uid, batch, enqueued_at = self._outstanding[0]
                outcome = outcomes.get(uid)
                if outcome is None and time.monotonic() - enqueued_at < TASK_TIMEOUT_S:
                    break  # tasks of one index finish in order: the later ones are not done either
                self._outstanding.popleft()
                settled = True
                try:
                    await self._settle_task(uid, batch, outcome)
                finally:
                    self._slots.release()
            self._settle()
            if settled:
                delay = 0.05
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, 0.5)

    async def _settle_task(self, uid: int, batch: list[CatalogCall], outcome: TaskOutcome | None) -> None:
        try:
            if outcome is None:
                raise TransientError(f"indexing task {uid} not done in {TASK_TIMEOUT_S:.0f}s")
            if outcome.rejected:
                await self._flush(batch)  # isolate the rejected document, call by call if need be
                return
            if not outcome.succeeded:
                raise TransientError(f"indexing task {uid} {outcome.status}: {outcome.error}")
            await self._repository.mark_indexed([(c.call_id, c.revision) for c in batch])
        except Exception as exc:
            # Not re-queued from memory (a later task may hold newer revisions): the sweeper
            # re-reads the current state of whatever is still marked pending.
            self.needs_sweep, self.healthy = True, False
            log.warning("indexing task %s failed; %d calls stay pending: %r", uid, len(batch), exc)

    async def _flush(self, batch: list[CatalogCall]) -> None:
        if not batch:
            return
        try:
            await self._index.index([search_document(c) for c in batch])
        except PermanentError:
            if len(batch) == 1:
                log.error("document rejected by the index", extra={"call_id": batch[0].call_id})
                return
            half = len(batch) // 2  # isolate the document the engine rejects
            await self._flush(batch[:half])
            await self._flush(batch[half:])
            return
        await self._repository.mark_indexed([(c.call_id, c.revision) for c in batch])


class DirectIndexer:
    """`Indexer` that writes to the index at once and waits for it (the bare site in tests, one-off
    tools); while the engine is down the calls stay `index_pending` for the sweeper."""

    def __init__(self, repository: CallRepository, index: SearchIndex) -> None:
        self._repository = repository
        self._index = index

    async def submit(self, calls: Sequence[CatalogCall]) -> None:
        if not calls:
            return
        try:
            await self._index.index([search_document(c) for c in calls])
            await self._repository.mark_indexed([(c.call_id, c.revision) for c in calls])
        except TransientError as exc:
            log.warning("index write deferred: %s", exc, extra={"call_id": calls[0].call_id})
