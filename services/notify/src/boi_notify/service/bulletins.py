"""Use case of the weekly bulletin a curator approved (`bulletins.published.v1`, from the catalog): every
person with a confirmed weekly subscription gets it by email once per week, however often it is approved
or its event redelivered. One rendering per topic (the footer names it), filled with each person's links."""

import logging
from functools import partial

from boi_notify.domain.mail import TO_MARK, Kind, Letter, Mail, MailDeferred, bulletin_key, mark
from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.domain.subscription import Topic
from boi_notify.ports import SubscriberStore
from boi_notify.service.emails import Footer, MailRenderer
from boi_notify.service.mailer import Delivery, Mailer, Outcome
from boi_notify.service.subscriptions import Links
from boi_shared.events import BulletinPublished

log = logging.getLogger("boi.notify.bulletins")
BATCH = 500
MANAGE, UNSUBSCRIBE = mark("manage"), mark("unsubscribe")


class Bulletins:
    def __init__(
        self,
        store: SubscriberStore,
        mailer: Mailer,
        renderer: MailRenderer,
        links: Links,
        concurrency: int = 8,
    ) -> None:
        self.store, self.mailer, self.renderer, self.links = store, mailer, renderer, links
        self.concurrency = concurrency

    async def on_published(self, event: BulletinPublished) -> dict[Outcome, int]:
        """Mails the bulletin to weekly subscribers; raises `MailDeferred` when some could not be handed to
        the SMTP server (the message is retried; those sent are not sent again)."""
        first: dict[str, Subscription] = {}
        people: dict[str, Subscriber] = {}
        for sub, person in await self.store.confirmed("semanal"):
            first.setdefault(sub.subscriber_id, sub)  # one bulletin per person, whatever their topics
            people[sub.subscriber_id] = person
        templates: dict[Topic, Mail] = {}
        call_ids = [c.call_id for c in event.calls]
        batch = [
            Delivery(
                bulletin_key(person_id, event.week),
                person,
                Kind.BULLETIN,
                call_ids,
                partial(self._letter, templates, event, first[person_id], person.email),
            )
            for person_id, person in people.items()
        ]
        outcomes = await self.mailer.deliver_all(batch, self.concurrency, BATCH)
        log.info("bulletin %s: %s", event.week, {k.value: v for k, v in outcomes.items()})
        if outcomes.get(Outcome.DEFERRED):
            raise MailDeferred(f"bulletin {event.week}: {outcomes[Outcome.DEFERRED]} emails deferred")
        return outcomes

    def _letter(
        self, templates: dict[Topic, Mail], event: BulletinPublished, sub: Subscription, to: str
    ) -> Letter:
        template = templates.get(sub.topic)
        if template is None:
            footer = Footer(sub.topic, sub.frequency.value, MANAGE, UNSUBSCRIBE)
            template = templates[sub.topic] = self.renderer.bulletin(TO_MARK, event, footer)
        fills = {MANAGE: self.links.manage(sub.subscriber_id), UNSUBSCRIBE: self.links.unsubscribe(sub.id)}
        return Letter(template, to, fills)
