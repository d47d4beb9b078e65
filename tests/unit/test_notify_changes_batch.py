"""Changes of calls handled in a batch (`Alerts.on_published_many`) on fakes: events of one call in one batch
follow each other as they would one by one, the call is saved once with its last version, the previous
version's call and the time of its first publication; an old version replayed in the batch changes nothing."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from boi_notify.domain.records import Subscriber, Subscription
from boi_notify.service.alerts import Alerts
from boi_shared.events import CallPublished, PublicCall
from tests.support.notify_mail import call_event


class Calls:
    def __init__(self) -> None:
        self.saved: list[tuple[CallPublished, PublicCall | None, datetime]] = []
        self.reads = 0

    async def get_many(self, call_ids: Sequence[str]) -> dict[str, tuple[int, PublicCall, PublicCall | None]]:
        self.reads += 1
        return {}

    async def save_many(self, saves: Sequence[tuple[CallPublished, PublicCall | None, datetime]]) -> None:
        self.saved += saves


class Store:
    def __init__(self) -> None:
        self.reads = 0

    async def confirmed(self, frequency: str) -> list[tuple[Subscription, Subscriber]]:
        self.reads += 1
        return []

    async def subscribers(self, ids: Sequence[str]) -> dict[str, Subscriber]:
        return {}


class Deliveries:
    async def recipients_of(self, call_id: str) -> list[str]:
        return []


def _at(day: int) -> datetime:
    return datetime(2031, 3, day, 15, tzinfo=UTC)


async def test_a_batch_saves_each_call_once_as_its_events_one_by_one_would() -> None:
    calls, store = Calls(), Store()
    alerts = Alerts(store, calls, Deliveries(), *([None] * 3))  # type: ignore[arg-type]
    first = call_event("Beca alfa", occurred_at=_at(10))
    moved = call_event("Beca alfa", call_id=first.call_id, version=2, change="updated", occurred_at=_at(11))
    replayed = first.model_copy(update={"event_id": call_event("x").event_id})
    other = call_event("Premio beta", occurred_at=_at(12))
    await alerts.on_published_many([first, moved, replayed, other])
    assert calls.reads == 1 and store.reads == 1
    saved: dict[str, Any] = {e.call_id: (e.version, p, at) for e, p, at in calls.saved}
    assert saved[first.call_id] == (
        2,
        first.call,
        _at(10),
    )  # previous: version 1's call; first seen on the 10th
    assert saved[other.call_id] == (1, None, _at(12))
    assert len(calls.saved) == 2
