"""Use cases of the emails about calls: instant alerts for new matching calls, corrections to those who
received a call that changed, and the daily/weekly digests (one per subscription and period)."""

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from boi_notify.domain.changes import corrections
from boi_notify.domain.dates import period_bounds
from boi_notify.domain.mail import (
    TO_MARK,
    Kind,
    Letter,
    Mail,
    delivery_key,
    digest_key,
    mark,
    reminder_key,
)
from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.domain.subscription import REMINDER_CHOICES, Topic
from boi_notify.ports import CallLog, MailLog, SubscriberStore
from boi_notify.service.emails import Footer, MailRenderer
from boi_notify.service.mailer import Delivery, Mailer, Outcome
from boi_notify.service.subscriptions import Links
from boi_shared.events import CallPublished, PublicCall

log = logging.getLogger("boi.notify.alerts")
OPEN = ("publicada", "cierra_pronto")
DIGEST_BATCH = 500
"""Digests claimed and recorded together: one insert and one bulk update per 500 emails."""
MANAGE, UNSUBSCRIBE = mark("manage"), mark("unsubscribe")


@dataclass
class DigestReport:
    period: str
    # Not in the repr: asyncio formats the result of the task that ran a digest (10,000 × 7 calls, ~18 s).
    planned: list[tuple[Subscription, list[PublicCall]]] = field(default_factory=list, repr=False)
    outcomes: dict[str, int] = field(default_factory=dict)


class Alerts:
    def __init__(
        self,
        store: SubscriberStore,
        calls: CallLog,
        deliveries: MailLog,
        mailer: Mailer,
        renderer: MailRenderer,
        links: Links,
        concurrency: int = 8,
    ) -> None:
        self.store, self.calls, self.deliveries = store, calls, deliveries
        self.mailer, self.renderer, self.links = mailer, renderer, links
        self.concurrency = concurrency

    def _footer(self, sub: Subscription) -> Footer:
        return Footer(
            sub.topic,
            sub.frequency.value,
            self.links.manage(sub.subscriber_id),
            self.links.unsubscribe(sub.id),
        )

    def _fills(self, sub: Subscription) -> dict[str, str]:
        return {MANAGE: self.links.manage(sub.subscriber_id), UNSUBSCRIBE: self.links.unsubscribe(sub.id)}

    async def on_published(self, event: CallPublished) -> None:
        """Alerts and corrections for one change; raises `MailDeferred` while the SMTP server is unavailable
        (the message is retried; what was sent is not sent again)."""
        await self.on_published_many([event])

    async def on_published_many(self, events: Sequence[CallPublished]) -> None:
        """`on_published` for a batch of changes, in order: the stored calls read in one query, the instant
        subscriptions once, the calls saved in one write (events of one call follow each other here as
        they would one by one)."""
        instant = any(e.change == "published" and e.call.status in OPEN for e in events)
        # Both reads at once: round trips are what a change costs on the partition's time.
        stored, confirmed = await asyncio.gather(
            self.calls.get_many(list(dict.fromkeys(e.call_id for e in events))),
            self.store.confirmed("inmediata") if instant else _none(),
        )
        saves: dict[str, tuple[CallPublished, PublicCall | None, datetime]] = {}
        for event in events:
            known = stored.get(event.call_id)
            if known is not None and known[0] > event.version:
                continue  # an old version replayed: the newer one was handled
            previous = (
                known[2] if known is not None and known[0] == event.version else (known[1] if known else None)
            )
            if event.change == "published" and event.call.status in OPEN:
                await self._instant(event, confirmed)
            changes = corrections(previous, event)
            if changes:
                await self._corrections(event, changes)
            stored[event.call_id] = (event.version, event.call, previous)
            first = saves[event.call_id][2] if event.call_id in saves else event.occurred_at
            saves[event.call_id] = (event, previous, first)
        await self.calls.save_many(list(saves.values()))

    async def _instant(self, event: CallPublished, confirmed: list[tuple[Subscription, Subscriber]]) -> None:
        first: dict[str, tuple[Subscription, Subscriber]] = {}
        for sub, person in confirmed:
            if sub.topic.matches(event.call):  # one alert per person, whatever their topics
                first.setdefault(sub.subscriber_id, (sub, person))
        for person_id, (sub, person) in first.items():
            key = delivery_key(person_id, event.call_id, event.version, Kind.ALERT)
            render = partial(self.renderer.calls, person.email, Kind.ALERT, [event.call], self._footer(sub))
            await self.mailer.deliver(key, person, Kind.ALERT, [event.call_id], render)

    async def _corrections(self, event: CallPublished, changes: Sequence[tuple[str, str, str]]) -> None:
        recipients = await self.deliveries.recipients_of(event.call_id)
        people = await self.store.subscribers(recipients)
        for person_id, person in people.items():
            subs = await self.store.subscriptions_of(person_id)
            if not subs:
                continue
            key = delivery_key(person_id, event.call_id, event.version, Kind.CORRECTION)
            footer = self._footer(subs[0])
            render = partial(self.renderer.correction, person.email, event.call, changes, footer)
            await self.mailer.deliver(key, person, Kind.CORRECTION, [event.call_id], render)

    async def reminders(self, today: date, default_days: Sequence[int]) -> int:
        """Reminds everyone who received an open call that it closes in one of the offsets they chose
        (`default_days` for people who chose none); once per (subscriber, call, offset). Returns how many
        reminders were sent now."""
        sent = 0
        for offset in sorted(set(default_days) | set(REMINDER_CHOICES), reverse=True):
            for call_id, call in await self.calls.closing_on(today + timedelta(days=offset)):
                people = await self.store.subscribers(await self.deliveries.recipients_of(call_id))
                for person_id, person in people.items():
                    wanted = default_days if person.reminder_days is None else person.reminder_days
                    if offset in wanted:
                        sent += await self._remind(person_id, person, call_id, call, offset)
        return sent

    async def _remind(
        self, person_id: str, person: Subscriber, call_id: str, call: PublicCall, offset: int
    ) -> bool:
        subs = await self.store.subscriptions_of(person_id)
        if not subs:
            return False
        footer = self._footer(subs[0])
        render = partial(self.renderer.calls, person.email, Kind.REMINDER, [call], footer, str(offset))
        key = reminder_key(person_id, call_id, offset)
        outcome = await self.mailer.deliver(
            key, person, Kind.REMINDER, [call_id], render, raise_deferred=False
        )
        return outcome is Outcome.SENT

    async def digest(self, frequency: str, period: str, dry_run: bool = False) -> DigestReport:
        """Every confirmed `frequency` subscription gets the period's matching calls in one email, once;
        a subscription without matching calls gets nothing. A deferred email is tried again next run."""
        report = DigestReport(period)
        start, end = period_bounds(frequency, period)
        calls = await self.calls.published_between(start, end)
        people: dict[str, Subscriber] = {}
        for sub, person in await self.store.confirmed(frequency):
            people[sub.subscriber_id] = person
            matching = [c for c in calls if sub.topic.matches(c[2])]
            if matching:
                report.planned.append((sub, [c[2] for c in matching]))
        if dry_run or not report.planned:
            return report
        ids = {id(c): cid for cid, _, c in calls}
        shared = _Shared(self.renderer, frequency, period)
        batch = [
            Delivery(
                digest_key(sub.id, period),
                people[sub.subscriber_id],
                Kind.DIGEST,
                [ids[id(c)] for c in found],
                partial(shared.letter, sub, found, people[sub.subscriber_id].email, self._fills(sub)),
            )
            for sub, found in report.planned
        ]
        counts = await self.mailer.deliver_all(batch, self.concurrency, DIGEST_BATCH)
        report.outcomes = {outcome.value: n for outcome, n in counts.items()}
        log.info("digest %s %s: %s", frequency, period, report.outcomes)
        return report


async def _none() -> list[tuple[Subscription, Subscriber]]:
    return []


class _Shared:
    """A digest rendered once per distinct (topic, calls) of a period, with marks for each person's links:
    10,000 people with the same topic share one rendering and one CSS inlining."""

    def __init__(self, renderer: MailRenderer, frequency: str, period: str) -> None:
        self.renderer, self.frequency, self.period = renderer, frequency, period
        self.made: dict[tuple[Topic, tuple[int, ...]], Mail] = {}

    def letter(self, sub: Subscription, found: list[PublicCall], to: str, fills: dict[str, str]) -> Letter:
        key = (sub.topic, tuple(id(c) for c in found))
        template = self.made.get(key)
        if template is None:
            footer = Footer(sub.topic, self.frequency, MANAGE, UNSUBSCRIBE)
            template = self.renderer.calls(TO_MARK, Kind.DIGEST, found, footer, self.period)
            self.made[key] = template
        return Letter(template, to, fills)


__all__ = ["Alerts", "DigestReport", "Outcome"]
