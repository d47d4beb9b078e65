"""The shared error policy on real Kafka, with a FastStream broker built by `create_broker` in the test:
database write errors that are not connection errors are retried until they pass and never
dead-lettered (one record at a time and in batches), and a dependency that hangs longer than
max.poll.interval.ms costs retries, not the consumer's place in its group."""

import asyncio
import uuid
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo.errors import NotPrimaryError, OperationFailure, WriteConcernError, WriteError

from boi_shared.kafka import SUBSCRIBER_DEFAULTS, create_broker
from boi_shared.settings import ServiceSettings
from tests.support.kafka import eventually, kafka_options, publish
from tests.support.stack import StackEndpoints

POLL_MS = 6000


def _write_errors() -> list[Exception]:
    """What a MongoDB or FerretDB answers when a write fails for a reason other than the connection."""
    return [
        WriteError("No space left on device", code=14031),
        OperationFailure("database disk image is malformed (SQLITE_FULL)", code=1),
        WriteConcernError("waiting for replication timed out", code=64),
        NotPrimaryError("not primary"),
        WriteError("No space left on device", code=14031),
    ]


async def _create_topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(**kafka_options(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, num_partitions=1, replication_factor=1) for n in names])
    finally:
        await admin.close()


async def _size(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=None)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()


def _settings(stack: StackEndpoints) -> ServiceSettings:
    return ServiceSettings(
        **stack.kafka_settings(),
        retry_initial_seconds=0.05,
        retry_max_seconds=0.2,
        unknown_error_attempts=3,
        kafka_max_poll_interval_ms=POLL_MS,
    )


class _Revocations(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.assigned = 0
        self.revoked = 0

    async def on_partitions_revoked(self, revoked: Any) -> None:
        if revoked:
            self.revoked += 1

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.assigned += 1


@pytest.mark.parametrize("batch", [False, True], ids=["per-record", "batch"])
async def test_write_errors_are_retried_until_they_pass_and_never_dead_lettered(
    stack: StackEndpoints, batch: bool
) -> None:
    topic = f"test.policy.{uuid.uuid4().hex[:10]}"
    await _create_topics(stack.kafka_bootstrap, topic, f"{topic}.dlq")
    failures = _write_errors()
    handled: list[Any] = []
    broker = create_broker("policy-test", _settings(stack))
    options = {**SUBSCRIBER_DEFAULTS, "max_poll_interval_ms": POLL_MS, "group_id": f"g-{topic}"}

    if batch:

        @broker.subscriber(topic, batch=True, **options)
        async def on_batch(values: list[dict[str, Any]]) -> None:
            if failures:
                raise failures.pop(0)
            handled.extend(values)
    else:

        @broker.subscriber(topic, **options)
        async def on_one(value: dict[str, Any]) -> None:
            if failures:
                raise failures.pop(0)
            handled.append(value)

    await broker.start()
    try:
        await publish(stack.kafka_bootstrap, topic, b'{"call_id": "c-1"}', key=b"c-1")
        await eventually(lambda: handled, timeout=60)
    finally:
        await broker.stop()
    assert handled == [{"call_id": "c-1"}] and failures == []
    assert await _size(stack.kafka_bootstrap, f"{topic}.dlq") == 0


async def test_a_hung_dependency_keeps_the_consumer_in_its_group(stack: StackEndpoints) -> None:
    topic = f"test.policy.{uuid.uuid4().hex[:10]}"
    await _create_topics(stack.kafka_bootstrap, topic, f"{topic}.dlq")
    listener = _Revocations()
    calls: list[float] = []
    handled: list[Any] = []
    broker = create_broker("policy-test", _settings(stack))

    @broker.subscriber(
        topic, listener=listener, group_id=f"g-{topic}", max_poll_interval_ms=POLL_MS, **SUBSCRIBER_DEFAULTS
    )
    async def on_one(value: dict[str, Any]) -> None:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) == 1:
            await asyncio.sleep(3 * POLL_MS / 1000)  # a database that does not answer (paused)
        handled.append(value)

    await broker.start()
    try:
        await eventually(lambda: listener.assigned, timeout=60)
        await publish(stack.kafka_bootstrap, topic, b'{"call_id": "c-2"}', key=b"c-2")
        await eventually(lambda: handled, timeout=90)
        revoked = listener.revoked  # before stopping, which leaves the group
    finally:
        await broker.stop()
    assert handled == [{"call_id": "c-2"}]
    assert revoked == 0, "the consumer left its group while waiting"
    assert calls[1] - calls[0] < POLL_MS / 1000  # the hung attempt was cut short, then retried
    assert await _size(stack.kafka_bootstrap, f"{topic}.dlq") == 0
