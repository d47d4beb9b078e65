"""The notify service on the real stack: published calls reach partner webhooks signed, once per endpoint,
retried on 5xx, recorded in the delivery log; poison goes to the DLQ."""

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from boi_notify.domain.delivery import delivery_id
from boi_notify.domain.signing import verify
from boi_shared.events import CallPublished, PublicCall
from boi_shared.ids import call_id_for
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints
from tests.support.webhook import ReceivedRequest, WebhookReceiver, closed_port_url, webhook_receiver

TOPIC = "calls.published.v1"
SECRET = "integration-secret-" + uuid.uuid4().hex
DATABASE = f"notify_test_{uuid.uuid4().hex[:8]}"
ATTEMPTS = 4


@pytest.fixture(scope="module")
def good() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def flaky() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def dead_url() -> str:
    return closed_port_url()


@pytest.fixture(scope="module")
def notify(
    stack: StackEndpoints, good: WebhookReceiver, flaky: WebhookReceiver, dead_url: str
) -> Iterator[ServiceProcess]:
    svc = ServiceProcess(
        "notify",
        {
            **stack.service_env(),
            "BOI_MONGO_DATABASE": DATABASE,
            "BOI_WEBHOOK_URLS": f"{good.url},{flaky.url},{dead_url}",
            "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
            "BOI_WEBHOOK_SECRET": SECRET,
            "BOI_WEBHOOK_TIMEOUT_SECONDS": "2",
            "BOI_WEBHOOK_ATTEMPTS": str(ATTEMPTS),
            "BOI_WEBHOOK_BACKOFF_INITIAL_SECONDS": "0.05",
            "BOI_WEBHOOK_BACKOFF_MAX_SECONDS": "0.2",
        },
    ).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def deliveries(stack: StackEndpoints) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]["deliveries"]
    await client.close()


def _published(call_id: str | None = None) -> CallPublished:
    url = f"https://example.org/{uuid.uuid4()}"
    return CallPublished(
        call_id=call_id or call_id_for(url),
        version=1,
        change="published",
        call=PublicCall(
            url=url, title="Beca de maestría en Japón", summary="Cubre matrícula.", status="publicada"
        ),
    )


async def _publish(stack: StackEndpoints, event: CallPublished) -> None:
    await publish(stack.kafka_bootstrap, TOPIC, event.model_dump_json().encode(), key=event.call_id.encode())


def _for(event: CallPublished) -> Any:
    def match(request: ReceivedRequest) -> bool:
        return request.header("X-BOI-Event-Id") == str(event.event_id)

    return match


async def _received(receiver: WebhookReceiver, event: CallPublished, count: int = 1) -> list[ReceivedRequest]:
    async def enough() -> list[ReceivedRequest] | None:
        found = receiver.matching(_for(event))
        return found if len(found) >= count else None

    result: list[ReceivedRequest] = await eventually(enough, timeout=60)
    return result


async def _record(
    deliveries: AsyncCollection[dict[str, Any]], event: CallPublished, url: str
) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        return await deliveries.find_one({"_id": delivery_id(str(event.event_id), url)})

    result: dict[str, Any] = await eventually(found, timeout=60)
    return result


async def test_published_call_reaches_every_endpoint_signed(
    stack: StackEndpoints,
    notify: ServiceProcess,
    good: WebhookReceiver,
    flaky: WebhookReceiver,
    dead_url: str,
    deliveries: AsyncCollection[dict[str, Any]],
) -> None:
    event = _published()
    await _publish(stack, event)
    for receiver in (good, flaky):
        [request] = await _received(receiver, event)
        assert (request.method, request.path) == ("POST", "/hooks/boi")
        assert request.header("Content-Type") == "application/json"
        assert json.loads(request.body) == json.loads(event.model_dump_json())
        timestamp, signature = request.header("X-BOI-Timestamp"), request.header("X-BOI-Signature")
        assert timestamp is not None and signature is not None and signature.startswith("sha256=")
        assert verify(SECRET, request.body, timestamp, signature)
        assert not verify("wrong-secret", request.body, timestamp, signature)
    record = await _record(deliveries, event, good.url)
    assert (record["status"], record["attempts"], record["http_status"]) == ("delivered", 1, 200)
    assert record["delivered_at"] is not None and record["call_id"] == event.call_id
    # A partner that is down costs its own attempts, then a recorded failure; the others are served.
    down = await _record(deliveries, event, dead_url)
    assert (down["status"], down["attempts"], down["http_status"]) == ("failed", ATTEMPTS, None)
    assert "ConnectError" in down["last_error"] and down["delivered_at"] is None


async def test_the_same_event_published_twice_is_delivered_once(
    stack: StackEndpoints,
    notify: ServiceProcess,
    good: WebhookReceiver,
    flaky: WebhookReceiver,
) -> None:
    event = _published()
    await _publish(stack, event)
    await _publish(stack, event)
    # Same key, same partition: once the next event of the call has arrived, both copies were handled.
    after = _published(call_id=event.call_id)
    await _publish(stack, after)
    for receiver in (good, flaky):
        await _received(receiver, after)
        assert len(receiver.matching(_for(event))) == 1


async def test_an_endpoint_answering_500_twice_gets_the_event_on_retry(
    stack: StackEndpoints,
    notify: ServiceProcess,
    good: WebhookReceiver,
    flaky: WebhookReceiver,
    deliveries: AsyncCollection[dict[str, Any]],
) -> None:
    flaky.fail_next(2, status=500)
    event = _published()
    await _publish(stack, event)
    requests = await _received(flaky, event, count=3)
    assert [r.answered for r in requests] == [500, 500, 200]
    assert all(
        verify(SECRET, r.body, r.header("X-BOI-Timestamp") or "", r.header("X-BOI-Signature") or "")
        for r in requests
    )
    assert len(await _received(good, event)) == 1

    async def delivered() -> dict[str, Any] | None:
        record = await _record(deliveries, event, flaky.url)
        return record if record["status"] == "delivered" else None

    record = await eventually(delivered)
    assert (record["attempts"], record["http_status"], record["last_error"]) == (3, 200, None)


async def test_a_4xx_answer_is_a_failure_at_once(
    stack: StackEndpoints,
    notify: ServiceProcess,
    good: WebhookReceiver,
    flaky: WebhookReceiver,
    deliveries: AsyncCollection[dict[str, Any]],
) -> None:
    flaky.fail_next(1, status=410)
    event = _published()
    await _publish(stack, event)
    await _received(good, event)
    record = await _record(deliveries, event, flaky.url)
    assert (record["status"], record["attempts"], record["http_status"]) == ("failed", 1, 410)
    assert record["last_error"] == "HTTP 410"
    assert len(flaky.matching(_for(event))) == 1


async def test_malformed_message_goes_to_dlq_and_next_is_delivered(
    stack: StackEndpoints,
    notify: ServiceProcess,
    good: WebhookReceiver,
    flaky: WebhookReceiver,
) -> None:
    marker = uuid.uuid4().hex
    await publish(stack.kafka_bootstrap, TOPIC, json.dumps({"junk": marker}).encode(), key=b"poison")
    [letter] = await collect(stack.kafka_bootstrap, f"{TOPIC}.dlq", lambda v: marker in v.get("payload", ""))
    assert letter["error_type"] == "ValidationError"
    assert letter["consumer_group"] == "notify"
    assert letter["original_topic"] == TOPIC
    event = _published()
    await _publish(stack, event)
    for receiver in (good, flaky):
        await _received(receiver, event)
