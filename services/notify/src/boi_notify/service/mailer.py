"""Sends one email exactly once: claim its key in the delivery log, send, record the outcome; a 5xx
suppresses the address, a 4xx or no answer leaves it deferred for a later try; a sent email emits one
`email` impression per call it carries (no address in the event)."""

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from boi_notify.domain.mail import Kind, Letter, Mail, MailDeferred, MailRejected
from boi_notify.domain.records import Subscriber
from boi_notify.ports import ImpressionSink, MailLog, MailSender, SubscriberStore
from boi_shared.events import ImpressionRecorded
from boi_shared.ids import event_id_for

log = logging.getLogger("boi.notify.mail")
BATCHES_IN_FLIGHT = 2
"""Batches of `deliver_all` under way at once: one being sent while the other's writes are done."""


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    DEFERRED = "deferred"


@dataclass(frozen=True)
class Delivery:
    """One email to send once: its key, its person, what it carries, how to render it."""

    key: str
    person: Subscriber
    kind: Kind
    call_ids: Sequence[str]
    render: Callable[[], Mail | Letter]


def _now() -> datetime:
    return datetime.now(UTC)


class Mailer:
    def __init__(
        self,
        deliveries: MailLog,
        sender: MailSender,
        store: SubscriberStore,
        impressions: ImpressionSink,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.deliveries, self.sender, self.store = deliveries, sender, store
        self.impressions, self.clock = impressions, clock

    async def deliver(
        self,
        key: str,
        person: Subscriber,
        kind: Kind,
        call_ids: Sequence[str],
        render: Callable[[], Mail],
        raise_deferred: bool = True,
    ) -> Outcome:
        """`raise_deferred`: raise `MailDeferred` (the Kafka message is retried) instead of returning"""
        if not await self.deliveries.claim(key, _record(person, kind, call_ids), self.clock()):
            return Outcome.SKIPPED
        extra = {"delivery": key, "kind": kind.value, "calls": len(call_ids)}
        try:
            await self.sender.send(render())
        except MailRejected as exc:
            await self.deliveries.finish(key, Outcome.REJECTED, str(exc), self.clock())
            await self.store.suppress(person.id, str(exc), self.clock())
            log.warning("address rejected, suppressed: %s", exc, extra=extra)
            return Outcome.REJECTED
        except MailDeferred as exc:
            await self.deliveries.finish(key, Outcome.DEFERRED, str(exc), self.clock())
            log.warning("mail deferred: %s", exc, extra=extra)
            if raise_deferred:
                raise
            return Outcome.DEFERRED
        await self.deliveries.finish(key, Outcome.SENT, None, self.clock())
        await self.impressions.emit(_impressions(key, call_ids))
        log.info("mail sent", extra=extra)
        return Outcome.SENT

    async def deliver_all(
        self, deliveries: Sequence[Delivery], concurrency: int, batch: int
    ) -> dict[Outcome, int]:
        """`deliver` for many emails (digests, the bulletin), in batches of `batch` with one claim and one
        outcome write each, at most `concurrency` sends at once across batches. Two batches are in flight:
        one's claim, records and impressions are written while the other's emails are being sent, so the
        SMTP sessions are not left idle. After a batch fails no other starts; the one in flight finishes
        (what it sent is recorded), then the error is raised. Deferred ones stay claimable for a later run."""
        sends = asyncio.Semaphore(concurrency)
        turns = asyncio.Semaphore(BATCHES_IN_FLIGHT)
        failed: list[Exception] = []
        counts: dict[Outcome, int] = {}

        async def run(chunk: Sequence[Delivery]) -> None:
            async with turns:
                if failed:
                    return
                try:
                    outcomes = await self._batch(chunk, sends)
                except Exception as exc:
                    failed.append(exc)
                    return
            for outcome in outcomes:
                counts[outcome] = counts.get(outcome, 0) + 1

        await asyncio.gather(*(run(deliveries[i : i + batch]) for i in range(0, len(deliveries), batch)))
        if failed:
            raise failed[0]
        return counts

    async def _batch(self, batch: Sequence[Delivery], sends: asyncio.Semaphore) -> list[Outcome]:
        records = {d.key: _record(d.person, d.kind, d.call_ids) for d in batch}
        claimed = await self.deliveries.claim_many(list(records.items()), self.clock())

        async def send(d: Delivery) -> tuple[Outcome, str | None]:
            if d.key not in claimed:
                return Outcome.SKIPPED, None
            async with sends:
                try:
                    await self.sender.send(d.render())
                except MailRejected as exc:
                    return Outcome.REJECTED, str(exc)
                except MailDeferred as exc:
                    return Outcome.DEFERRED, str(exc)
            return Outcome.SENT, None

        results = await asyncio.gather(*(send(d) for d in batch))
        done = [
            (d.key, o.value, e, records[d.key])
            for d, (o, e) in zip(batch, results, strict=True)
            if o is not Outcome.SKIPPED
        ]
        await self.deliveries.finish_many(done, self.clock())
        for d, (outcome, error) in zip(batch, results, strict=True):
            if outcome is Outcome.REJECTED:
                await self.store.suppress(d.person.id, error or "rejected", self.clock())
                log.warning("address rejected, suppressed: %s", error, extra={"delivery": d.key})
        sent = [d for d, (o, _) in zip(batch, results, strict=True) if o is Outcome.SENT]
        await self.impressions.emit([i for d in sent for i in _impressions(d.key, d.call_ids)])
        return [o for o, _ in results]


def _record(person: Subscriber, kind: Kind, call_ids: Sequence[str]) -> dict[str, Any]:
    """What a delivery record holds: never the address."""
    return {"subscriber_id": person.id, "kind": kind.value, "call_ids": list(call_ids)}


def _impressions(key: str, call_ids: Sequence[str]) -> list[ImpressionRecorded]:
    """One `email` impression per call in a sent email; the id depends on the delivery, so a replay counts
    once. No address, no subscriber id."""
    return [
        ImpressionRecorded(
            event_id=event_id_for("email-impression", key, call_id),
            call_id=call_id,
            kind="email",
            channel="email",
            position=i,
        )
        for i, call_id in enumerate(call_ids)
    ]
