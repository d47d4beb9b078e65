"""Delivery rules: which partner answers are final, which deserve another attempt, and the idempotency
key of one event's delivery to one endpoint."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum


class EndpointUnreachable(Exception):
    """No usable answer: connection refused or reset, DNS failure, timeout, undecodable response."""


class Verdict(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"


def verdict_for(http_status: int) -> Verdict:
    """2xx delivered; 429 and 5xx worth another attempt; anything else (4xx, redirects) refused for good."""
    if 200 <= http_status < 300:
        return Verdict.DELIVERED
    if http_status == 429 or http_status >= 500:
        return Verdict.RETRY
    return Verdict.REJECTED


def endpoint_key(url: str) -> str:
    """Short stable hash of an endpoint URL (URLs can be long and carry tokens)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def delivery_id(event_id: str, url: str) -> str:
    """Idempotency key of the delivery log: one event to one endpoint."""
    return f"{event_id}:{endpoint_key(url)}"


@dataclass(frozen=True)
class DeliveryResult:
    """How delivering one event to one endpoint ended, after every attempt."""

    url: str
    status: DeliveryStatus
    attempts: int
    http_status: int | None
    error: str | None
    delivered_at: datetime | None

    @property
    def delivered(self) -> bool:
        return self.status is DeliveryStatus.DELIVERED
