"""The subscription records the use cases read and write (stores map them to documents)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from boi_notify.domain.subscription import Frequency, Topic


@dataclass(frozen=True)
class Subscriber:
    """A person: an address and nothing else. Deleted with the last subscription."""

    id: str
    email: str
    suppressed: bool = False
    reminder_days: tuple[int, ...] | None = None
    """Days before a deadline this person wants a reminder of a call sent to them; None: the default."""


@dataclass(frozen=True)
class Subscription:
    id: str
    subscriber_id: str
    topic: Topic
    frequency: Frequency
    confirmed: bool
    created_at: datetime


def subscription_id(subscriber_id: str, topic: Topic, frequency: Frequency) -> str:
    """Deterministic: subscribing twice to the same topic and frequency is one subscription."""
    text = f"{subscriber_id}|{topic.key()}|{frequency.value}"
    return "s-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
