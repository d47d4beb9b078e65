"""The periodic work of notify: the digests of the last complete day and week, deadline reminders, and the
sweep of unconfirmed subscriptions. Every replica may run it: each email is claimed before it is sent."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from boi_notify.domain.dates import BOGOTA, local_day, previous_period
from boi_notify.service.alerts import Alerts
from boi_notify.service.subscriptions import Subscriptions

log = logging.getLogger("boi.notify.scheduler")


async def run_due(
    alerts: Alerts,
    subscriptions: Subscriptions,
    digest_hour: int,
    reminder_days: Sequence[int],
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    swept = await subscriptions.sweep()
    if swept:
        log.info("unconfirmed subscriptions deleted: %d", swept)
    if now.astimezone(BOGOTA).hour < digest_hour:
        return
    for frequency in ("diaria", "semanal"):
        await alerts.digest(frequency, previous_period(frequency, now))
    await alerts.reminders(local_day(now), reminder_days)


async def every(interval_seconds: float, job: Callable[[], object]) -> None:
    """Runs `job` every interval until cancelled; a failure is logged and retried next time."""
    while True:
        await asyncio.sleep(interval_seconds)
        try:
            result = job()
            if asyncio.iscoroutine(result):
                await result
        except Exception:
            log.exception("scheduled run failed; retried at the next interval")
