"""Delivery rules and the notifier use case, on fakes of the delivery log and the transport."""

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

from boi_notify.domain.delivery import (
    DeliveryResult,
    DeliveryStatus,
    EndpointUnreachable,
    Verdict,
    delivery_id,
    verdict_for,
)
from boi_notify.domain.signing import verify
from boi_notify.service import RetryPolicy, WebhookNotifier
from boi_shared.errors import Verdict as ErrorVerdict
from boi_shared.errors import classify
from boi_shared.events import CallPublished, PublicCall

SECRET = "unit-secret"
GOOD, FLAKY, GONE, DOWN = (f"https://{name}.example/hook" for name in ("good", "flaky", "gone", "down"))
NO_WAIT = RetryPolicy(attempts=4, initial_seconds=0, max_seconds=0)


@dataclass
class FakeDeliveryLog:
    records: dict[str, DeliveryResult] = field(default_factory=dict)

    async def is_delivered(self, delivery_id: str) -> bool:
        found = self.records.get(delivery_id)
        return found is not None and found.delivered

    async def record(self, delivery_id: str, event: CallPublished, result: DeliveryResult) -> None:
        self.records[delivery_id] = result


@dataclass
class FakeSender:
    """Answers per URL from a script (an int is a status, an exception is raised); then 200."""

    script: dict[str, list[int | Exception]] = field(default_factory=dict)
    sent: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.sent.append((url, body, dict(headers)))
        answers = self.script.get(url, [])
        answer = answers.pop(0) if answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer

    def calls_to(self, url: str) -> int:
        return sum(1 for sent_url, _, _ in self.sent if sent_url == url)


def _event() -> CallPublished:
    return CallPublished(
        call_id="c-unit",
        version=1,
        change="published",
        call=PublicCall(url="https://example.org/c", title="Beca", summary="Resumen", status="publicada"),
    )


def _notifier(urls: list[str], sender: FakeSender, deliveries: FakeDeliveryLog) -> WebhookNotifier:
    return WebhookNotifier(urls, SECRET, deliveries, sender, NO_WAIT, clock=lambda: 1_760_000_000.0)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (429, Verdict.RETRY),
        (400, Verdict.REJECTED),
        (404, Verdict.REJECTED),
        (410, Verdict.REJECTED),
        (301, Verdict.REJECTED),
    ],
)
def test_verdict_for_http_status(status: int, verdict: Verdict) -> None:
    assert verdict_for(status) is verdict


def test_delivery_id_is_stable_and_per_endpoint() -> None:
    assert delivery_id("e", GOOD) == delivery_id("e", GOOD)
    assert delivery_id("e", GOOD) != delivery_id("e", FLAKY)
    assert delivery_id("e", GOOD).startswith("e:")


async def test_every_endpoint_gets_a_signed_copy() -> None:
    sender, deliveries = FakeSender(), FakeDeliveryLog()
    event = _event()
    results = await _notifier([GOOD, FLAKY], sender, deliveries).notify(event)
    assert {r.url for r in results} == {GOOD, FLAKY}
    assert all(r.status is DeliveryStatus.DELIVERED and r.attempts == 1 for r in results)
    for _, body, headers in sender.sent:
        assert body == event.model_dump_json().encode()
        assert headers["X-BOI-Event-Id"] == str(event.event_id)
        assert verify(SECRET, body, headers["X-BOI-Timestamp"], headers["X-BOI-Signature"], now=1_760_000_000)


async def test_a_delivered_event_is_not_sent_again() -> None:
    sender, deliveries = FakeSender(), FakeDeliveryLog()
    notifier, event = _notifier([GOOD], sender, deliveries), _event()
    await notifier.notify(event)
    assert await notifier.notify(event) == []
    assert sender.calls_to(GOOD) == 1


async def test_retryable_answers_are_retried_until_delivered() -> None:
    sender = FakeSender({FLAKY: [500, EndpointUnreachable("ReadTimeout"), 429]})
    [result] = await _notifier([FLAKY], sender, FakeDeliveryLog()).notify(_event())
    assert (result.status, result.attempts, result.http_status, result.error) == (
        DeliveryStatus.DELIVERED,
        4,
        200,
        None,
    )
    assert result.delivered_at is not None


async def test_a_dead_endpoint_fails_after_every_attempt_and_others_still_get_it() -> None:
    sender = FakeSender({DOWN: [EndpointUnreachable("ConnectError: refused")] * 10})
    deliveries = FakeDeliveryLog()
    event = _event()
    results = {r.url: r for r in await _notifier([DOWN, GOOD], sender, deliveries).notify(event)}
    assert results[DOWN].status is DeliveryStatus.FAILED
    assert results[DOWN].attempts == NO_WAIT.attempts
    assert results[DOWN].error == "ConnectError: refused"
    assert results[DOWN].http_status is None
    assert results[GOOD].delivered
    assert deliveries.records[delivery_id(str(event.event_id), DOWN)].status is DeliveryStatus.FAILED


async def test_a_4xx_fails_at_once() -> None:
    sender = FakeSender({GONE: [410]})
    [result] = await _notifier([GONE], sender, FakeDeliveryLog()).notify(_event())
    assert (result.status, result.attempts, result.http_status, result.error) == (
        DeliveryStatus.FAILED,
        1,
        410,
        "HTTP 410",
    )


async def test_a_failed_delivery_is_tried_again_on_replay() -> None:
    sender, deliveries = FakeSender({GONE: [404]}), FakeDeliveryLog()
    notifier, event = _notifier([GONE], sender, deliveries), _event()
    await notifier.notify(event)
    [again] = await notifier.notify(event)
    assert again.delivered
    assert sender.calls_to(GONE) == 2


class DownDeliveryLog(FakeDeliveryLog):
    async def is_delivered(self, delivery_id: str) -> bool:
        raise ServerSelectionTimeoutError("mongo down")


async def test_a_delivery_log_outage_surfaces_as_a_transient_error() -> None:
    # Not an ExceptionGroup from the concurrent deliveries: the error policy must see MongoDB's error.
    notifier = _notifier([GOOD, FLAKY], FakeSender(), DownDeliveryLog())
    with pytest.raises(ServerSelectionTimeoutError) as raised:
        await notifier.notify(_event())
    assert classify(raised.value, (ConnectionFailure,)) is ErrorVerdict.TRANSIENT
