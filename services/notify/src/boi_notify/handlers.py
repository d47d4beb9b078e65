"""Kafka glue of the notify service."""

from faststream.kafka import KafkaBroker

from boi_notify import SERVICE
from boi_notify.service import WebhookNotifier
from boi_shared.events import CallPublished
from boi_shared.kafka import SUBSCRIBER_DEFAULTS
from boi_shared.topics import CALLS_PUBLISHED


def register(broker: KafkaBroker, notifier: WebhookNotifier) -> None:
    @broker.subscriber(
        CALLS_PUBLISHED.name, group_id=SERVICE, description=CALLS_PUBLISHED.description, **SUBSCRIBER_DEFAULTS
    )
    async def on_call_published(event: CallPublished) -> None:
        # Failed endpoints are recorded, not raised; only a delivery-log outage fails the message.
        await notifier.notify(event)
