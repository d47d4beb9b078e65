"""Use cases of subscribing without an account: subscribe (double opt-in), confirm, unsubscribe, manage,
forget a person, and the sweep of unconfirmed subscriptions."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from boi_notify.domain.mail import MailDeferred
from boi_notify.domain.records import Subscriber, Subscription, subscription_id
from boi_notify.domain.subscription import (
    Frequency,
    InvalidSubscription,
    Topic,
    consent_text,
    normalize_email,
    reminder_days,
)
from boi_notify.domain.tokens import Purpose, Tokens
from boi_notify.ports import MailLog, MailSender, SubscriberStore
from boi_notify.service.emails import MailRenderer

log = logging.getLogger("boi.notify.subscriptions")
UNCONFIRMED_DAYS = 7


def _now() -> datetime:
    return datetime.now(UTC)


class Links:
    """The signed links of the emails, on notify's public URL."""

    def __init__(self, public_url: str, tokens: Tokens) -> None:
        self.base = public_url.rstrip("/") + "/suscripcion"
        self.tokens = tokens

    def _link(self, path: str, purpose: Purpose, subject: str) -> str:
        return f"{self.base}/{path}?{urlencode({'t': self.tokens.make(purpose, subject)})}"

    def confirm(self, subscriber_id: str) -> str:
        return self._link("confirmar", Purpose.CONFIRM, subscriber_id)

    def unsubscribe(self, subscription_id: str) -> str:
        return self._link("baja", Purpose.UNSUBSCRIBE, subscription_id)

    def manage(self, subscriber_id: str) -> str:
        return self._link("gestionar", Purpose.MANAGE, subscriber_id)

    @property
    def privacy(self) -> str:
        return f"{self.base}/privacidad"


@dataclass(frozen=True)
class Managed:
    person: Subscriber
    subscriptions: list[tuple[Subscription, str]]
    """Each subscription with its unsubscribe link."""


class Subscriptions:
    def __init__(
        self,
        store: SubscriberStore,
        deliveries: MailLog,
        sender: MailSender,
        renderer: MailRenderer,
        links: Links,
        confirmation_every_seconds: float = 3600,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store, self.deliveries, self.sender = store, deliveries, sender
        self.renderer, self.links, self.clock = renderer, links, clock
        self.every = confirmation_every_seconds

    async def subscribe(self, email: str, topic: Topic, frequency: str, consent: bool) -> None:
        """Stores a pending subscription and mails a confirmation link, at most one per address an hour.
        Raises `InvalidSubscription` (shown on the form) and `MailDeferred` (server down: try later)."""
        address = normalize_email(email)
        if frequency not in {f.value for f in Frequency}:
            raise InvalidSubscription("Elige con qué frecuencia quieres recibir los correos.")
        if not consent:
            raise InvalidSubscription(
                "Para suscribirte, marca la casilla de autorización del tratamiento de datos."
            )
        person = await self.store.subscriber(address, create=True)
        assert person is not None
        sub_id = subscription_id(person.id, topic, Frequency(frequency))
        sub = Subscription(sub_id, person.id, topic, Frequency(frequency), False, self.clock())
        await self.store.add(sub)
        existing = await self.store.subscription(sub_id)
        if existing is not None and existing.confirmed and not person.suppressed:
            return  # already active: nothing to confirm (the page says the same either way)
        if not await self.store.claim_confirmation_mail(person.id, self.clock(), self.every):
            return  # one confirmation an hour per address; the link sent confirms this one too
        pending = [s.topic for s in await self.store.subscriptions_of(person.id) if not s.confirmed]
        mail = self.renderer.confirmation(address, self.links.confirm(person.id), pending or [topic])
        try:
            await self.sender.send(mail)
        except MailDeferred:
            await self.store.release_confirmation_mail(person.id)  # the person may try again at once
            raise

    async def confirm(self, subscriber_id: str) -> Subscriber | None:
        person = await self.store.by_id(subscriber_id)
        if person is None:
            return None
        consent = {
            "text": consent_text(self.renderer.brand.entity, self.renderer.brand.name),
            "confirmed_at": self.clock(),
            "method": "doble confirmación por correo",
        }
        await self.store.confirm(subscriber_id, consent, self.clock())
        return person

    async def unsubscribe(self, subscription_id: str) -> bool:
        """Deletes the subscription; with the last one, the person's data. False when it was gone already."""
        sub = await self.store.subscription(subscription_id)
        if sub is None:
            return False
        if await self.store.remove(subscription_id) == 0:
            await self.forget(sub.subscriber_id)
        return True

    async def manage(self, subscriber_id: str) -> Managed | None:
        person = await self.store.by_id(subscriber_id)
        if person is None:
            return None
        subs = await self.store.subscriptions_of(subscriber_id)
        return Managed(person, [(s, self.links.unsubscribe(s.id)) for s in subs])

    async def set_reminders(self, subscriber_id: str, chosen: list[str]) -> tuple[int, ...] | None:
        """Stores the reminder offsets a person ticked on the manage page (none: no reminders); None when
        the person is gone. Raises `InvalidSubscription` for an offset not offered."""
        days = reminder_days(chosen)
        return days if await self.store.set_reminder_days(subscriber_id, days) else None

    async def forget(self, subscriber_id: str) -> None:
        """Deletes the address, the subscriptions and the link from past deliveries to the person."""
        await self.store.forget(subscriber_id)
        await self.deliveries.anonymize(subscriber_id)
        log.info("subscriber forgotten", extra={"subscriber": subscriber_id})

    async def request_data(self, email: str) -> None:
        """Mails the manage link (see, unsubscribe, delete everything) to a known address, once an hour."""
        address = normalize_email(email)
        person = await self.store.subscriber(address, create=False)
        if person is None or not await self.store.claim_confirmation_mail(
            person.id, self.clock(), self.every
        ):
            return
        await self.sender.send(self.renderer.manage_link(address, self.links.manage(person.id)))

    async def sweep(self) -> int:
        """Deletes subscriptions left unconfirmed for 7 days (FerretDB has no TTL index)."""
        return await self.store.sweep_unconfirmed(self.clock() - timedelta(days=UNCONFIRMED_DAYS))
