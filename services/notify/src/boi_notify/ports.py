"""Ports of the notify use cases: the delivery log and the webhook transport."""

from collections.abc import Mapping
from typing import Protocol

from boi_notify.domain.delivery import DeliveryResult
from boi_shared.events import CallPublished


class DeliveryLog(Protocol):
    """Where every delivery of an event to an endpoint is recorded (the idempotency store)."""

    async def is_delivered(self, delivery_id: str) -> bool:
        """True when this event already reached this endpoint."""
        ...

    async def record(self, delivery_id: str, event: CallPublished, result: DeliveryResult) -> None:
        """Store the outcome; never downgrades a delivery already recorded as delivered."""
        ...


class WebhookSender(Protocol):
    """Sends one HTTP POST to a partner endpoint."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The HTTP status of the answer; raises `EndpointUnreachable` when there is none."""
        ...
