"""Batched indexing: stored calls are queued here and written to Meilisearch in as few tasks as the
engine's pace allows (one task per flush, up to `max_batch` documents), then marked indexed in MongoDB.

The consumer never waits for Meilisearch: while it is down, calls keep flowing into MongoDB marked
`index_pending`, the queue backs off, and the sweeper (`jobs.reindex_pending`) re-queues what is still
pending from MongoDB, so nothing is lost across restarts either.
"""

import asyncio
import logging
from collections.abc import Sequence

from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.search import search_document
from boi_catalog.ports import CallRepository, SearchIndex
from boi_shared.errors import PermanentError, TransientError

log = logging.getLogger("boi.catalog.indexing")


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
        in_flight: int = 3,
    ) -> None:
        self._repository = repository
        self._index = index
        self._max_batch = max_batch
        self._max_queued = max_queued
        self._linger = linger_seconds
        # Up to `in_flight` tasks enqueued at once: Meilisearch runs them in order and batches
        # consecutive ones together, so the engine never waits for us between tasks.
        self._slots = asyncio.Semaphore(in_flight)
        self._waiters: set[asyncio.Task[None]] = set()
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
            self._queued[call.call_id] = call
        if self._queued:
            self._idle.clear()
            self._wakeup.set()

    @property
    def queued(self) -> int:
        return len(self._queued)

    async def drained(self) -> None:
        """Return once everything queued so far has been flushed (or given up on)."""
        await self._idle.wait()

    async def run(self) -> None:
        """Flush forever (run as a task; cancel to stop)."""
        delay = 0.5
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(self._linger)
            batch = list(self._queued.values())[: self._max_batch]
            for call in batch:
                del self._queued[call.call_id]
            if not self._queued:
                self._wakeup.clear()
            try:
                await self._flush_pipelined(batch)
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
            if not self._queued and not self._waiters:
                self._idle.set()

    async def _flush_pipelined(self, batch: list[CatalogCall]) -> None:
        enqueue = getattr(self._index, "enqueue", None)
        if enqueue is None or not batch:
            await self._flush(batch)
            return
        await self._slots.acquire()
        try:
            task_uid = await enqueue([search_document(c) for c in batch])
        except BaseException:
            self._slots.release()
            raise
        waiter = asyncio.create_task(self._confirm(task_uid, batch))
        self._waiters.add(waiter)
        waiter.add_done_callback(self._waiters.discard)

    async def _confirm(self, task_uid: int, batch: list[CatalogCall]) -> None:
        try:
            await self._index.wait_indexed(task_uid)  # type: ignore[attr-defined]
            await self._repository.mark_indexed([(c.call_id, c.revision) for c in batch])
        except PermanentError:
            await self._flush(batch)  # isolate the rejected document, call by call if need be
        except Exception as exc:
            # Not re-queued from memory (a later task may hold newer revisions): the sweeper
            # re-reads the current state of whatever is still marked pending.
            self.needs_sweep, self.healthy = True, False
            log.warning("indexing task %s failed; %d calls stay pending: %r", task_uid, len(batch), exc)
        finally:
            self._slots.release()
            if not self._queued and not self._waiters - {asyncio.current_task()}:
                self._idle.set()

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
