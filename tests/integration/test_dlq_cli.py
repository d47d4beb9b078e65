"""`boi dlq list|replay TOPIC` on real Kafka: letters are shown with their error and origin, and a replay
republishes the original payload (and key) to the topic — one letter by id, or all of them."""

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from boi_shared.events import DeadLetter
from tests.support.kafka import kafka_options, publish
from tests.support.stack import StackEndpoints

BOI = str(Path(sys.executable).parent / "boi")


async def _create_topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(**kafka_options(bootstrap))
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, num_partitions=1, replication_factor=1) for n in names])
    finally:
        await admin.close()


async def _read_all(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes]]:
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        out: list[tuple[bytes | None, bytes]] = []
        while await consumer.position(tp) < end:
            out += [
                (r.key, r.value or b"") for r in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, [])
            ]
        return out
    finally:
        await consumer.stop()


async def _boi(stack: StackEndpoints, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **stack.service_env()}  # the admin: dead letters of every topic
    return await asyncio.to_thread(
        subprocess.run, [BOI, "dlq", *args], env=env, capture_output=True, text=True, timeout=120
    )


def _letter(topic: str, offset: int, key: str, payload: str) -> bytes:
    letter = DeadLetter(
        original_topic=topic,
        partition=0,
        offset=offset,
        key=key,
        payload=payload,
        error_type="ValidationError",
        error=f"1 validation error for CallEnriched (offset {offset})",
        consumer_group="catalog",
        attempts=1,
    )
    return letter.model_dump_json().encode()


async def test_list_and_replay_dead_letters(stack: StackEndpoints) -> None:
    topic = f"test.dlq.{uuid.uuid4().hex[:10]}"
    await _create_topics(stack.kafka_bootstrap, topic, f"{topic}.dlq")
    for offset, key in ((7, "c-a"), (9, "c-b")):
        await publish(
            stack.kafka_bootstrap, f"{topic}.dlq", _letter(topic, offset, key, f'{{"n": {offset}}}')
        )
    await publish(stack.kafka_bootstrap, f"{topic}.dlq", b"not a letter")

    listed = await _boi(stack, "list", topic)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("0:0 ") and f"catalog  {topic}[0]@7  key=c-a  attempts=1" in lines[0]
    assert lines[1].strip() == "ValidationError: 1 validation error for CallEnriched (offset 7)"
    assert lines[2].startswith("0:1 ") and f"{topic}[0]@9  key=c-b" in lines[2]
    assert lines[4] == "0:2  (not a DeadLetter: 12 bytes)"
    assert lines[-1] == f"3 dead letter(s) on {topic}.dlq"

    one = await _boi(stack, "replay", topic, "--id", "0:1")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines() == ["replayed 0:1", f"1 message(s) republished to {topic}"]
    assert await _read_all(stack.kafka_bootstrap, topic) == [(b"c-b", b'{"n": 9}')]

    unknown = await _boi(stack, "replay", topic, "--id", "0:99")
    assert unknown.returncode == 1 and "no dead letter 0:99" in unknown.stderr
    assert len(await _read_all(stack.kafka_bootstrap, topic)) == 1

    everything = await _boi(stack, "replay", topic)
    assert everything.returncode == 0, everything.stderr
    assert await _read_all(stack.kafka_bootstrap, topic) == [
        (b"c-b", b'{"n": 9}'),
        (b"c-a", b'{"n": 7}'),
        (b"c-b", b'{"n": 9}'),
    ]

    missing = await _boi(stack, "list", f"no.such.{uuid.uuid4().hex[:6]}")
    assert missing.returncode == 1 and "no topic" in missing.stderr
