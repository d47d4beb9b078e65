"""Kafka glue of the notify service."""

import asyncio
from typing import Any

from faststream.kafka import KafkaBroker

from boi_notify import SERVICE
from boi_notify.alerts import Alerts
from boi_notify.bulletins import Bulletins
from boi_notify.dispatcher import Dispatcher
from boi_notify.webhooks import Webhooks
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


def register(
    broker: KafkaBroker, webhooks: Webhooks, dispatcher: Dispatcher, alerts: Alerts, options: dict[str, Any]
) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""

    @broker.subscriber(
        CALLS_PUBLISHED.name, group_id=SERVICE, description=CALLS_PUBLISHED.description, **options
    )
    async def on_call_published(event: CallPublished) -> None:
        # The webhook side and the email side at once; both finish before an error of either is raised.
        # An SMTP server that is down raises MailDeferred (transient): the message is retried, and what was
        # recorded or sent already (webhook deliveries, emails) is found again by its key.
        results = await asyncio.gather(_record(event), alerts.on_published(event), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def _record(event: CallPublished) -> None:
        # Recorded, not sent: the attempts run beside the partition, which never waits for a partner.
        for delivery in await webhooks.record(event):
            dispatcher.submit_held(delivery)

    @broker.subscriber(
        WEBHOOK_RETRIES.name, group_id=SERVICE, description=WEBHOOK_RETRIES.description, **options
    )
    async def on_webhook_retry_due(due: WebhookRetryDue) -> None:
        # A timer in this process; the database holds the delivery as pending and due, so a timer lost
        # with the process is taken up by the sweep of any replica.
        dispatcher.submit_at(due.delivery_id, due.due_at)


def register_bulletins(broker: KafkaBroker, bulletins: Bulletins, options: dict[str, Any]) -> None:
    """Bulletins the catalog hands over: emailed to weekly subscribers, once per person and week."""

    @broker.subscriber(BULLETINS.name, group_id=SERVICE, description=BULLETINS.description, **options)
    async def on_bulletin_published(event: BulletinPublished) -> None:
        # SMTP down: MailDeferred (transient) retries the message; those sent are skipped by their claim.
        await bulletins.on_published(event)
