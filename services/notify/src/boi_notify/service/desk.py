"""Use cases of the console's subscriptions page: counts by topic and frequency for every operator (no
addresses), and for admins one address looked up to answer a data request (its subscriptions; delete all
its data)."""

import logging
from dataclasses import dataclass

from boi_notify.domain.census import Census, census
from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.domain.subscription import normalize_email
from boi_notify.ports import SubscriberStore
from boi_notify.service.subscriptions import Subscriptions

log = logging.getLogger("boi.notify.console")


@dataclass(frozen=True)
class Holder:
    """One address an admin looked up: the person and every subscription (pending or confirmed)."""

    person: Subscriber
    subscriptions: list[Subscription]


class SubscriberDesk:
    def __init__(self, store: SubscriberStore, subscriptions: Subscriptions) -> None:
        self.store, self.subscriptions = store, subscriptions

    async def census(self) -> Census:
        people, suppressed = await self.store.headcount()
        return census(await self.store.tallies(), people, suppressed)

    async def lookup(self, email: str) -> Holder | None:
        """The person with this address, or None; raises `InvalidSubscription` for a malformed address."""
        person = await self.store.subscriber(normalize_email(email), create=False)
        if person is None:
            return None
        return Holder(person, await self.store.subscriptions_of(person.id))

    async def erase(self, subscriber_id: str, operator: str) -> bool:
        """Deletes the person's data on a data request; the log names the operator, never the address."""
        if await self.store.by_id(subscriber_id) is None:
            return False
        await self.subscriptions.forget(subscriber_id)
        log.info("subscriber data deleted on request", extra={"subscriber": subscriber_id, "by": operator})
        return True
