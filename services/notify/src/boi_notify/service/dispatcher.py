"""Runs webhook attempts off the Kafka handlers: each due delivery is a task, at most `concurrency` at once
and `per_endpoint` per endpoint (a partner that hangs holds only its own slots, never the others'); retries
due later wait on a timer; a sweep takes up whatever is due in the database (a timer lost with a
process, a delivery held by a process that died)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from boi_notify.domain.delivery import PendingDelivery
from boi_notify.service.webhooks import Webhooks

log = logging.getLogger("boi.notify.dispatcher")


class Dispatcher:
    def __init__(self, webhooks: Webhooks, concurrency: int, per_endpoint: int) -> None:
        self.webhooks = webhooks
        self._slots = asyncio.Semaphore(concurrency)
        self._per_endpoint = per_endpoint
        self._endpoint_slots: dict[str, asyncio.Semaphore] = {}
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def submit(self, delivery_id: str) -> None:
        """Attempts the delivery soon, unless this process is at it already."""
        if delivery_id in self._running:
            return
        self._running.add(delivery_id)
        task = asyncio.get_running_loop().create_task(self._run(delivery_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def submit_held(self, pending: PendingDelivery) -> None:
        """Attempts a delivery this process holds already (just recorded): no claim needed."""
        if pending.id in self._running:
            return
        self._running.add(pending.id)
        task = asyncio.get_running_loop().create_task(self._run(pending.id, pending))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def submit_at(self, delivery_id: str, due_at: datetime) -> None:
        delay = (due_at - datetime.now(UTC)).total_seconds()
        if delay <= 0:
            self.submit(delivery_id)
            return
        if (old := self._timers.pop(delivery_id, None)) is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._timers[delivery_id] = loop.call_later(delay, self._fire, delivery_id)

    def _fire(self, delivery_id: str) -> None:
        self._timers.pop(delivery_id, None)
        self.submit(delivery_id)

    async def _run(self, delivery_id: str, held: PendingDelivery | None = None) -> None:
        endpoint = delivery_id.rpartition(":")[2]
        slots = self._endpoint_slots.setdefault(endpoint, asyncio.Semaphore(self._per_endpoint))
        try:
            async with slots, self._slots:
                if held is None:
                    await self.webhooks.attempt(delivery_id)
                else:
                    await self.webhooks.attempt_held(held)
        except Exception:
            # MongoDB or Kafka unavailable: the delivery stays pending (or its lease runs out) and the sweep
            # takes it up again; nothing is lost.
            log.exception("webhook attempt failed; the sweep retries it", extra={"delivery_id": delivery_id})
        finally:
            self._running.discard(delivery_id)

    async def sweep(self, limit: int = 1000) -> int:
        """Submits every delivery due in the database; how many."""
        due = await self.webhooks.deliveries.due(datetime.now(UTC), limit)
        for delivery_id in due:
            self.submit(delivery_id)
        return len(due)

    async def idle(self) -> None:
        """Waits for the attempts under way (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        for task in self._tasks:
            task.cancel()


async def sweeping(
    dispatcher: Dispatcher, every_seconds: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> None:
    """The periodic sweep, until cancelled."""
    while True:
        try:
            await dispatcher.sweep()
        except Exception:
            log.exception("webhook sweep failed; next one in %.0fs", every_seconds)
        await sleep(every_seconds)
