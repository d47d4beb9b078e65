"""Sends one email exactly once: claim its key in the delivery log, send, record the outcome; a 5xx
suppresses the address, a 4xx or no answer leaves it deferred for a later try; a sent email emits one
`email` impression per call it carries (no address in the event)."""

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from boi_notify.domain.mail import Kind, Mail, MailDeferred, MailRejected
from boi_notify.domain.records import Subscriber
from boi_notify.ports import ImpressionSink, MailLog, MailSender, SubscriberStore
from boi_shared.events import ImpressionRecorded
from boi_shared.ids import event_id_for

log = logging.getLogger("boi.notify.mail")


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    DEFERRED = "deferred"


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
        record = {"subscriber_id": person.id, "kind": kind.value, "call_ids": list(call_ids)}
        if not await self.deliveries.claim(key, record, self.clock()):
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
        await self.impressions.emit(
            [
                ImpressionRecorded(
                    event_id=event_id_for("email-impression", key, call_id),
                    call_id=call_id,
                    kind="email",
                    channel="email",
                    position=i,
                )
                for i, call_id in enumerate(call_ids)
            ]
        )
        log.info("mail sent", extra=extra)
        return Outcome.SENT
