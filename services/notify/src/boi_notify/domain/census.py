"""Counts of subscriptions by topic and frequency for the console: what curators see instead of people.
Pure: no I/O, no addresses."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from boi_notify.domain.subscription import Frequency, Topic


@dataclass(frozen=True)
class TopicRow:
    topic: str
    """The topic in Spanish (`Topic.describe`)."""
    confirmed: dict[str, int]
    """Confirmed subscriptions per frequency (`inmediata`, `diaria`, `semanal`)."""
    pending: int

    @property
    def total(self) -> int:
        return sum(self.confirmed.values())


@dataclass(frozen=True)
class Census:
    rows: list[TopicRow]
    by_frequency: dict[str, int]
    """Confirmed subscriptions per frequency, every topic together."""
    pending: int
    people: int
    suppressed: int


def census(subscriptions: Iterable[tuple[Topic, str, bool]], people: int, suppressed: int) -> Census:
    """(topic, frequency, confirmed) of every subscription → rows by topic, most confirmed first."""
    confirmed: dict[str, Counter[str]] = {}
    pending: Counter[str] = Counter()
    for topic, frequency, is_confirmed in subscriptions:
        name = topic.describe()
        confirmed.setdefault(name, Counter())
        if is_confirmed:
            confirmed[name][frequency] += 1
        else:
            pending[name] += 1
    rows = [
        TopicRow(name, {f.value: counts[f.value] for f in Frequency}, pending[name])
        for name, counts in confirmed.items()
    ]
    rows.sort(key=lambda r: (-r.total, -r.pending, r.topic))
    by_frequency = {f.value: sum(r.confirmed[f.value] for r in rows) for f in Frequency}
    return Census(rows, by_frequency, sum(pending.values()), people, suppressed)
