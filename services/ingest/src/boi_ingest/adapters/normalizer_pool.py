"""Where the CPU-bound normalization of items runs: in this process, or in worker processes so that it
overlaps the publishing and recording of the previous chunk (the event loop stays free for Kafka and
MongoDB, and a second core does the language detection and candidate extraction)."""

import asyncio
import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from boi_ingest.domain.language import load_model
from boi_ingest.domain.model import FeedItem
from boi_ingest.domain.normalize import Normalized, normalize_all

log = logging.getLogger("boi.ingest")

IN_PROCESS_BELOW = 100
"""Fewer items than this are normalized in the service process (a few ms: not worth a round trip)."""


class NormalizerPool:
    """Normalization in `workers` spawned processes (spawned, not forked: the service runs threads),
    started on the first large chunk. If a worker dies, the chunk is normalized in this process and the
    pool is started again."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self._workers, mp_context=context, initializer=load_model)

    async def warm_up(self) -> None:
        """Start the workers and load their model now, not on the first large feed."""
        await self._in_workers([FeedItem("warm-up", "https://e.org/", "https://e.org/", "Beca", "Beca", "0")])

    async def __call__(self, items: Sequence[FeedItem]) -> list[Normalized]:
        if len(items) < IN_PROCESS_BELOW:
            return normalize_all(items)
        return await self._in_workers(items)

    async def _in_workers(self, items: Sequence[FeedItem]) -> list[Normalized]:
        if self._pool is None:
            self._pool = self._start()
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, normalize_all, list(items))
        except BrokenProcessPool:
            if self._pool is pool:  # the first of the chunks in flight to notice restarts the pool
                log.warning("a normalization worker died: normalizing here, restarting the workers")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
            return normalize_all(items)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
