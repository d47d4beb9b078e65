"""Delivery rules: which partner answers are final, which deserve another attempt, the Standard Webhooks
retry schedule and the idempotency key of one event's delivery to one endpoint."""

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum

# Delays after a failed attempt: the Standard Webhooks schedule (immediately, then 5 s, 5 min, 30 min, 2 h,
# 5 h, 10 h, 10 h): eight attempts in about 27.5 hours.
SCHEDULE_SECONDS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
JITTER = 0.2  # ±20 %: endpoints that failed together are not retried in one burst


class EndpointUnreachable(Exception):
    """No usable answer: connection refused or reset, DNS failure, timeout, refused by the outbound guard."""


class Verdict(Enum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"
    GONE = "gone"


def verdict_for(http_status: int) -> Verdict:
    """2xx delivered; 410 the endpoint is gone; 429, 408, 409, 425 and 5xx worth another attempt; any other
    4xx and redirects (never followed: they could lead to a private address) refused for good."""
    if 200 <= http_status < 300:
        return Verdict.DELIVERED
    if http_status == 410:
        return Verdict.GONE
    if http_status in (408, 409, 425, 429) or http_status >= 500:
        return Verdict.RETRY
    return Verdict.REJECTED


def retry_delay(attempt: int, scale: float = 1.0, rng: random.Random | None = None) -> float | None:
    """Seconds to wait after failed attempt number `attempt` (1 = the first try); None when it was the
    last. `scale` shrinks the schedule (tests); the jitter is ±20 %."""
    if attempt < 1 or attempt > len(SCHEDULE_SECONDS):
        return None
    spread = 1 + (rng or random).uniform(-JITTER, JITTER)
    return SCHEDULE_SECONDS[attempt - 1] * scale * spread


def endpoint_key(url: str) -> str:
    """Short stable hash of an endpoint URL (URLs can be long and carry tokens)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def delivery_id(event_id: str, endpoint: str) -> str:
    """Idempotency key of the delivery log: one event to one endpoint (by its name)."""
    return f"{event_id}:{endpoint}"


class Status(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class PendingDelivery:
    """One event to one endpoint: the exact body every attempt sends, and how many attempts were made."""

    id: str
    webhook_id: str
    endpoint: str
    event_id: str
    call_id: str
    version: int
    change: str
    body: str
    attempt: int  # attempts made in this round (a replay starts a new round)
    created_at: datetime


@dataclass(frozen=True)
class AttemptOutcome:
    """How one attempt ended; `next_at` is set when the delivery stays pending."""

    status: Status
    attempt: int
    at: datetime
    http_status: int | None = None
    error: str | None = None
    next_at: datetime | None = None
