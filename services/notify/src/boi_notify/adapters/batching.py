"""Writes gathered into one call: callers await `add(item)`; the items of about `max_delay` seconds (or
`max_items`) go to `write(items)` together, and every caller sees that write's error, if any. FerretDB's
SQLite backend answers many small concurrent writes with SQLITE_BUSY; one `insert_many` of hundreds is
fast."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Batcher(Generic[T]):
    def __init__(
        self, write: Callable[[list[T]], Awaitable[None]], max_items: int = 500, max_delay: float = 0.05
    ) -> None:
        self._write = write
        self._max_items = max_items
        self._max_delay = max_delay
        self._items: list[T] = []
        self._done: asyncio.Future[None] | None = None
        self._timer: asyncio.TimerHandle | None = None

    async def add(self, item: T) -> None:
        loop = asyncio.get_running_loop()
        if self._done is None:
            self._done = loop.create_future()
            self._timer = loop.call_later(self._max_delay, self._flush_soon)
        done = self._done
        self._items.append(item)
        if len(self._items) >= self._max_items:
            self._flush_soon()
        await asyncio.shield(done)

    def _flush_soon(self) -> None:
        items, done = self._items, self._done
        self._items, self._done = [], None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if done is not None:
            asyncio.get_running_loop().create_task(self._flush(items, done))

    async def _flush(self, items: list[T], done: asyncio.Future[None]) -> None:
        try:
            await self._write(items)
        except Exception as exc:
            done.set_exception(exc)
        else:
            done.set_result(None)
