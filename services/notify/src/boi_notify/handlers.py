"""Kafka glue of the notify service."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker

from boi_notify import SERVICE
from boi_notify.service.alerts import Alerts
from boi_notify.service.bulletins import Bulletins
from boi_notify.service.dispatcher import Dispatcher
from boi_notify.service.webhooks import Webhooks
from boi_shared.error_policy import ErrorPolicy
from boi_shared.events import BulletinPublished, CallPublished, ImpressionRecorded, WebhookRetryDue
from boi_shared.topics import BULLETINS, CALLS_PUBLISHED, IMPRESSIONS, WEBHOOK_RETRIES


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the `email` and `webhook` impressions of the calls sent."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)


def retries_publisher(broker: KafkaBroker) -> Any:
    """Publisher of webhook deliveries due again later (failed attempts, replays)."""
    return broker.publisher(
        WEBHOOK_RETRIES.name, schema=WebhookRetryDue, description=WEBHOOK_RETRIES.description
    )


async def _raw_records(msg: Any) -> Any:
    # Keep the records: each is validated (and dead-lettered) on its own, with its offset.
    return list(msg.raw_message)


@dataclass(frozen=True)
class Changes:
    """What a batch of calls.published.v1 changes does: the webhook side and the email side."""

    webhooks: Webhooks
    dispatcher: Dispatcher
    alerts: Alerts

    async def handle(self, events: Sequence[CallPublished]) -> list[None]:
        # Both sides at once; both finish before an error of either is raised. An SMTP server that is
        # down raises MailDeferred (transient): the batch is retried, and what was recorded or sent
        # already (webhook deliveries, emails) is found again by its key.
        results = await asyncio.gather(
            self._record(events), self.alerts.on_published_many(events), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return []

    async def one(self, event: CallPublished) -> None:
        await self.handle([event])

    async def _record(self, events: Sequence[CallPublished]) -> None:
        # Recorded, not sent: the attempts run beside the partition, which never waits for a partner.
        for delivery in await self.webhooks.record_many(events):
            self.dispatcher.submit_held(delivery)


def register(
    broker: KafkaBroker, changes: Changes, options: dict[str, Any], policy: ErrorPolicy, batch_size: int
) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`); `policy` is the broker's;
    calls.published.v1 in batches of up to `batch_size` records (1: one by one)."""
    if batch_size <= 1:
        _subscribe_one(broker, changes, options)
    else:
        _subscribe_batch(broker, changes, {**options, "max_records": batch_size}, policy)

    @broker.subscriber(
        WEBHOOK_RETRIES.name, group_id=SERVICE, description=WEBHOOK_RETRIES.description, **options
    )
    async def on_webhook_retry_due(due: WebhookRetryDue) -> None:
        # A timer in this process; the database holds the delivery as pending and due, so a timer lost
        # with the process is taken up by the sweep of any replica.
        changes.dispatcher.submit_at(due.delivery_id, due.due_at)


def _subscribe_one(broker: KafkaBroker, changes: Changes, options: dict[str, Any]) -> None:
    """One record at a time: the shared error policy middleware decides per message."""

    @broker.subscriber(
        CALLS_PUBLISHED.name, group_id=SERVICE, description=CALLS_PUBLISHED.description, **options
    )
    async def on_call_published(event: CallPublished) -> None:
        await changes.one(event)


def _subscribe_batch(
    broker: KafkaBroker, changes: Changes, options: dict[str, Any], policy: ErrorPolicy
) -> None:
    """A batch of changes costs a few database round trips, not a few per change (~110 ms each on FerretDB
    here). Offsets are committed after the batch; a record that is not a CallPublished is dead-lettered
    alone; a batch failing for another reason than a transient one is handled one by one."""

    @broker.subscriber(
        CALLS_PUBLISHED.name,
        group_id=SERVICE,
        description=CALLS_PUBLISHED.description,
        batch=True,
        decoder=_raw_records,
        **options,
    )
    async def on_calls_published(records: list[Any]) -> None:
        pairs = await policy.decode_batch(records, CallPublished)
        await policy.batch(pairs, changes.handle, changes.one)


def register_bulletins(broker: KafkaBroker, bulletins: Bulletins, options: dict[str, Any]) -> None:
    """Bulletins the catalog hands over: emailed to weekly subscribers, once per person and week."""

    @broker.subscriber(BULLETINS.name, group_id=SERVICE, description=BULLETINS.description, **options)
    async def on_bulletin_published(event: BulletinPublished) -> None:
        # SMTP down: MailDeferred (transient) retries the message; those sent are skipped by their claim.
        await bulletins.on_published(event)
