"""Kafka glue of the notify service."""

from typing import Any

from faststream.kafka import KafkaBroker

from boi_notify import SERVICE
from boi_notify.alerts import Alerts
from boi_notify.bulletins import Bulletins
from boi_notify.service import WebhookNotifier
from boi_shared.events import BulletinPublished, CallPublished, ImpressionRecorded
from boi_shared.topics import BULLETINS, CALLS_PUBLISHED, IMPRESSIONS


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the `email` impressions of the calls in every email sent."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)


def register(broker: KafkaBroker, notifier: WebhookNotifier, alerts: Alerts, options: dict[str, Any]) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""

    @broker.subscriber(
        CALLS_PUBLISHED.name, group_id=SERVICE, description=CALLS_PUBLISHED.description, **options
    )
    async def on_call_published(event: CallPublished) -> None:
        # Failed endpoints are recorded, not raised; only a delivery-log outage fails the message.
        await notifier.notify(event)
        # An SMTP server that is down raises MailDeferred (transient): the message is retried, and what was
        # sent already (webhooks, emails) is skipped by the delivery logs.
        await alerts.on_published(event)


def register_bulletins(broker: KafkaBroker, bulletins: Bulletins, options: dict[str, Any]) -> None:
    """Bulletins the catalog hands over: emailed to weekly subscribers, once per person and week."""

    @broker.subscriber(BULLETINS.name, group_id=SERVICE, description=BULLETINS.description, **options)
    async def on_bulletin_published(event: BulletinPublished) -> None:
        # SMTP down: MailDeferred (transient) retries the message; those sent are skipped by their claim.
        await bulletins.on_published(event)
