"""Kafka glue of the notify service."""

from typing import Any

from faststream.kafka import KafkaBroker

from boi_notify import SERVICE
from boi_notify.service import WebhookNotifier
from boi_shared.events import CallPublished
from boi_shared.topics import CALLS_PUBLISHED


def register(broker: KafkaBroker, notifier: WebhookNotifier, options: dict[str, Any]) -> None:
    """Subscribe with `options` (`boi_shared.kafka.subscriber_options`)."""

    @broker.subscriber(
        CALLS_PUBLISHED.name, group_id=SERVICE, description=CALLS_PUBLISHED.description, **options
    )
    async def on_call_published(event: CallPublished) -> None:
        # Failed endpoints are recorded, not raised; only a delivery-log outage fails the message.
        await notifier.notify(event)
