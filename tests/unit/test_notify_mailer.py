"""Batched sends on fakes. Digests and the bulletin (`Mailer.deliver_all`): each claimed email sent once,
never more sends at once than asked, one batch's writes overlapping the next one's sends, a failed batch
stopping the run after the batch in flight has recorded what it sent. Webhook impressions: the ones of
concurrent deliveries emitted together."""

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from boi_notify.adapters.impressions import GatheredImpressions
from boi_notify.domain.mail import Kind, Letter, Mail
from boi_notify.domain.records import Subscriber
from boi_notify.service.mailer import Delivery, Mailer, Outcome
from boi_shared.events import ImpressionRecorded


class Log:
    """`MailLog` in memory; `finish_many` of the batch holding `slow_key` waits for `release`."""

    def __init__(self, taken: set[str] = frozenset(), slow_key: str = "", fail_key: str = "") -> None:
        self.taken, self.slow_key, self.fail_key = set(taken), slow_key, fail_key
        self.release = asyncio.Event()
        self.finished: dict[str, str] = {}
        self.claimed: list[str] = []

    async def claim_many(self, records: Sequence[tuple[str, dict[str, Any]]], now: datetime) -> set[str]:
        keys = [k for k, _ in records]
        if self.fail_key in keys:
            raise ConnectionError("database down")
        self.claimed += keys
        return set(keys) - self.taken

    async def finish_many(
        self, outcomes: Sequence[tuple[str, str, str | None, dict[str, Any]]], now: datetime
    ) -> None:
        if any(k == self.slow_key for k, *_ in outcomes):
            await self.release.wait()
        self.finished.update({k: status for k, status, *_ in outcomes})


class Sender:
    def __init__(self, log: Log, release_after: int = 0) -> None:
        self.log, self.release_after = log, release_after
        self.sent: list[str] = []
        self.now = self.most = 0

    async def send(self, mail: Mail | Letter) -> None:
        self.now += 1
        self.most = max(self.most, self.now)
        await asyncio.sleep(0)
        self.now -= 1
        self.sent.append(mail.to)
        if self.release_after and len(self.sent) == self.release_after:
            self.log.release.set()  # sends went on while the earlier batch's record was waiting


class Impressions:
    def __init__(self) -> None:
        self.emitted: list[ImpressionRecorded] = []

    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None:
        self.emitted += impressions


class Store:
    async def suppress(self, subscriber_id: str, reason: str, now: datetime) -> None:
        raise AssertionError("nobody is rejected here")


def _deliveries(n: int) -> list[Delivery]:
    def one(i: int) -> Delivery:
        mail = Mail(f"p{i}@example.org", "Resumen", "texto", "<p>html</p>", {})
        person = Subscriber(f"p{i}", mail.to)
        return Delivery(f"s-{i}:2031-06-11:resumen", person, Kind.DIGEST, ["c-1", "c-2"], lambda: mail)

    return [one(i) for i in range(n)]


def _mailer(log: Log, sender: Sender, impressions: Impressions) -> Mailer:
    return Mailer(log, sender, Store(), impressions)  # type: ignore[arg-type]


async def test_each_claimed_email_is_sent_once_within_the_concurrency() -> None:
    log = Log(taken={"s-3:2031-06-11:resumen"})
    sender, impressions = Sender(log), Impressions()
    log.release.set()
    counts = await _mailer(log, sender, impressions).deliver_all(_deliveries(25), concurrency=4, batch=10)
    assert counts == {Outcome.SENT: 24, Outcome.SKIPPED: 1}
    assert sorted(sender.sent) == sorted(f"p{i}@example.org" for i in range(25) if i != 3)
    assert 1 < sender.most <= 4
    assert len(log.finished) == 24 and set(log.finished.values()) == {"sent"}
    assert len(impressions.emitted) == 48


async def test_the_next_batch_is_sent_while_the_last_one_is_recorded() -> None:
    """The first batch's record waits until the second batch has sent an email: sequential batches would
    never get there (the run would hang, cut by the timeout)."""
    log = Log(slow_key="s-0:2031-06-11:resumen")
    sender = Sender(log, release_after=11)
    counts = await asyncio.wait_for(
        _mailer(log, sender, Impressions()).deliver_all(_deliveries(30), concurrency=3, batch=10), 5
    )
    assert counts == {Outcome.SENT: 30}
    assert len(set(sender.sent)) == 30


async def test_a_failed_batch_stops_the_run_after_the_one_in_flight_is_recorded() -> None:
    log = Log(fail_key="s-10:2031-06-11:resumen")
    log.release.set()
    sender = Sender(log)
    with pytest.raises(ConnectionError, match="database down"):
        await _mailer(log, sender, Impressions()).deliver_all(_deliveries(50), concurrency=4, batch=10)
    assert log.claimed == [f"s-{i}:2031-06-11:resumen" for i in range(10)]
    assert set(log.finished) == set(log.claimed)  # what was sent is recorded; nothing after the failure
    assert len(sender.sent) == 10


async def test_impressions_of_concurrent_deliveries_go_out_in_one_emit() -> None:
    sink = Impressions()
    calls: list[int] = []

    async def emit(impressions: Sequence[ImpressionRecorded]) -> None:
        calls.append(len(impressions))
        await sink.emit(impressions)

    gathered = GatheredImpressions(type("Sink", (), {"emit": staticmethod(emit)})())
    one = [
        ImpressionRecorded(call_id=f"c-{n}", kind="webhook", channel="webhook", channel_detail="socio")
        for n in range(120)
    ]
    await asyncio.gather(*(gathered.emit([i]) for i in one))  # each returns once its batch is written
    assert calls == [120]
    assert [i.call_id for i in sink.emitted] == [i.call_id for i in one]
