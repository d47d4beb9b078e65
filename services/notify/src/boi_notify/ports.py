"""Ports of the notify use cases: partner endpoints, the webhook deliveries, retries and transport;
the email side (subscribers, the email delivery log, the calls seen, the mail transport, impressions)."""

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from boi_notify.domain.delivery import AttemptOutcome, PendingDelivery
from boi_notify.domain.mail import Letter, Mail
from boi_notify.domain.partners import Endpoint
from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.domain.subscription import Topic
from boi_shared.events import CallPublished, ImpressionRecorded, PublicCall, WebhookRetryDue


class EndpointStore(Protocol):
    """Partner endpoints (notify's database), by name."""

    async def all(self) -> list[Endpoint]: ...

    async def get(self, name: str) -> Endpoint | None: ...

    async def add(self, endpoint: Endpoint, now: datetime) -> bool:
        """Stores a new endpoint; False when the name is taken."""
        ...

    async def set_secret(
        self, name: str, secret: str, previous: str, previous_until: datetime, shown: bool
    ) -> bool: ...

    async def take_secret(self, name: str) -> str | None:
        """The secret if it was never shown, marking it shown (atomically); None otherwise."""
        ...

    async def set_enabled(self, name: str, enabled: bool, reason: str | None, now: datetime) -> bool: ...

    async def set_failing_since(self, name: str, since: datetime | None) -> None: ...


class WebhookDeliveries(Protocol):
    """One record per (event, endpoint): pending until delivered or given up; claimed before each attempt,
    so two replicas, a redelivered event or a late timer never send one attempt twice."""

    async def add(self, records: Sequence[PendingDelivery], now: datetime, lease_seconds: float) -> set[str]:
        """Stores new pending deliveries, held by the caller for `lease_seconds` (its first attempt needs
        no claim); ids stored already are left as they are. The ids stored now."""
        ...

    async def delivered(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        """Records a delivered attempt (written in batches: the hot path of every delivery)."""
        ...

    async def claim(self, delivery_id: str, now: datetime, lease_seconds: float) -> PendingDelivery | None:
        """The delivery when it is pending and due and nobody holds it; held for `lease_seconds`."""
        ...

    async def finish(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        """Records an attempt that failed: for good, or pending again at `outcome.next_at`."""
        ...

    async def due(self, now: datetime, limit: int) -> list[str]:
        """Ids of pending deliveries due by `now` that nobody holds."""
        ...

    async def reopen(self, endpoint: str, since: datetime, now: datetime) -> list[tuple[str, str]]:
        """Makes the endpoint's deliveries created since `since` pending and due now; (id, call id) each."""
        ...

    async def log(self, endpoint: str, limit: int) -> list[dict[str, Any]]:
        """The endpoint's latest deliveries, newest first (no body)."""
        ...


class RetryPublisher(Protocol):
    async def publish(self, due: Sequence[WebhookRetryDue]) -> None: ...


class WebhookSender(Protocol):
    """Sends one HTTP POST to a partner endpoint."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """The HTTP status of the answer; raises `EndpointUnreachable` when there is none."""
        ...


class SubscriberStore(Protocol):
    """People (an address each) and their subscriptions."""

    async def subscriber(self, email: str, create: bool) -> Subscriber | None:
        """The person with this address; created (with a new random id) when `create` and missing."""
        ...

    async def by_id(self, subscriber_id: str) -> Subscriber | None: ...

    async def add(self, subscription: Subscription) -> None:
        """Stores a pending subscription; an existing one (same id) keeps its state."""
        ...

    async def claim_confirmation_mail(self, subscriber_id: str, now: datetime, every_seconds: float) -> bool:
        """True at most once per `every_seconds` per person: the right to send a confirmation email."""
        ...

    async def release_confirmation_mail(self, subscriber_id: str) -> None:
        """Gives the right back (the confirmation could not be sent)."""
        ...

    async def confirm(self, subscriber_id: str, consent: dict[str, Any], now: datetime) -> int:
        """Confirms every pending subscription of the person, lifts a suppression; how many were pending."""
        ...

    async def subscription(self, subscription_id: str) -> Subscription | None: ...

    async def subscriptions_of(self, subscriber_id: str) -> list[Subscription]: ...

    async def confirmed(self, frequency: str) -> list[tuple[Subscription, Subscriber]]:
        """Confirmed subscriptions of one frequency whose person is not suppressed, each with its person."""
        ...

    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]:
        """The people with these ids that are not suppressed."""
        ...

    async def remove(self, subscription_id: str) -> int:
        """Deletes one subscription; how many subscriptions its person still has."""
        ...

    async def forget(self, subscriber_id: str) -> None:
        """Deletes the person and every subscription (their personal data)."""
        ...

    async def suppress(self, subscriber_id: str, reason: str, now: datetime) -> None: ...

    async def set_reminder_days(self, subscriber_id: str, days: tuple[int, ...]) -> bool:
        """Stores the person's reminder offsets; False when the person is gone."""
        ...

    async def sweep_unconfirmed(self, older_than: datetime) -> int:
        """Deletes pending subscriptions created before `older_than`, then people left without any."""
        ...

    async def tallies(self) -> list[tuple[Topic, str, bool]]:
        """(topic, frequency, confirmed) of every subscription: no ids, no addresses."""
        ...

    async def headcount(self) -> tuple[int, int]:
        """(people, of whom suppressed)."""
        ...


class MailLog(Protocol):
    """Email deliveries keyed by (subscriber, call, version, kind) or (subscription, period): claimed before
    the send, so two replicas or a redelivery never send one twice."""

    async def claim(self, key: str, record: dict[str, Any], now: datetime) -> bool:
        """True when this process may send `key` now (new, deferred, or a stale claim)."""
        ...

    async def claim_many(self, records: Sequence[tuple[str, dict[str, Any]]], now: datetime) -> set[str]:
        """`claim` for many keys at once; the keys this process may send now."""
        ...

    async def finish(self, key: str, status: str, error: str | None, now: datetime) -> None: ...

    async def finish_many(
        self, outcomes: Sequence[tuple[str, str, str | None, dict[str, Any]]], now: datetime
    ) -> None:
        """(key, status, error, the claim's record) of many deliveries at once."""
        ...

    async def recipients_of(self, call_id: str) -> list[str]:
        """Subscriber ids that were sent an email containing this call."""
        ...

    async def anonymize(self, subscriber_id: str) -> None:
        """Drops the link from delivery records to a forgotten person (they stay as counts)."""
        ...


class CallLog(Protocol):
    """The public calls notify has seen, for digests and for what a correction changed."""

    async def get(self, call_id: str) -> tuple[int, PublicCall, PublicCall | None] | None:
        """(version, call, the call of the version before) as last stored."""
        ...

    async def save(self, event: CallPublished, previous: PublicCall | None) -> None:
        """Stores the event's call unless a later version is stored already."""
        ...

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, tuple[int, PublicCall, PublicCall | None]]:
        """`get` for many calls in one read; calls never stored are absent."""
        ...

    async def save_many(self, saves: Sequence[tuple[CallPublished, PublicCall | None, datetime]]) -> None:
        """`save` for the last events of different calls in one write; the time is the first publication
        to record for a call not stored yet (its first event's, when several came together)."""
        ...

    async def published_between(self, start: datetime, end: datetime) -> list[tuple[str, int, PublicCall]]:
        """(call_id, version, call) of calls first published in [start, end) and still open."""
        ...

    async def closing_on(self, day: date) -> list[tuple[str, PublicCall]]:
        """(call_id, call) of open calls whose deadline is `day`."""
        ...


class MailSender(Protocol):
    async def send(self, mail: Mail | Letter) -> None:
        """Hands the mail (or one person's copy of a shared rendering) to the SMTP server; raises
        `MailRejected` (5xx) or `MailDeferred` (4xx, down)."""
        ...


class ImpressionSink(Protocol):
    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None: ...
