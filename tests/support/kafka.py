"""Kafka helpers for tests: publish raw bytes, and read a topic until a condition holds.

Every helper takes the bootstrap address and connects as the admin principal of the session's stack at
that address (registered by `StackEndpoints`), so tests need not carry credentials around."""

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from boi_shared.kafka_auth import KafkaConnection

_STACKS: dict[str, tuple[dict[str, str], str]] = {}


def register_stack(bootstrap: str, passwords: dict[str, str], admin: str) -> None:
    _STACKS[bootstrap] = (dict(passwords), admin)


def connection(bootstrap: str, principal: str = "") -> KafkaConnection:
    """How `principal` (the admin by default) connects to the registered stack at `bootstrap`."""
    passwords, admin = _STACKS.get(bootstrap, ({}, ""))
    principal = principal or admin
    if principal not in passwords:
        return KafkaConnection(bootstrap)
    return KafkaConnection(bootstrap, principal, passwords[principal])


def kafka_options(bootstrap: str, principal: str = "") -> dict[str, Any]:
    """aiokafka keyword arguments (bootstrap servers and SASL) for `principal` on the stack at `bootstrap`."""
    return connection(bootstrap, principal).client_options()


def own_principal_env(env: dict[str, str], service: str) -> dict[str, str]:
    """`env` with a service started as the stack's admin switched to its own principal (the ACLs of
    `boi_shared.kafka_auth.GRANTS` are then what it runs with); other credentials are left as chosen."""
    bootstrap = env.get("BOI_KAFKA_BOOTSTRAP_SERVERS", "")
    passwords, admin = _STACKS.get(bootstrap, ({}, ""))
    if env.get("BOI_KAFKA_USERNAME") != admin or service not in passwords:
        return env
    return {**env, "BOI_KAFKA_USERNAME": service, "BOI_KAFKA_PASSWORD": passwords[service]}


async def publish(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    producer = AIOKafkaProducer(**kafka_options(bootstrap))
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def collect(
    bootstrap: str,
    topic: str,
    predicate: Callable[[dict[str, Any]], bool],
    *,
    expected: int = 1,
    timeout: float = 60.0,
) -> list[dict[str, Any]]:
    """Read `topic` from the beginning until `expected` JSON values match `predicate`, or fail."""
    consumer = AIOKafkaConsumer(
        topic,
        **kafka_options(bootstrap),
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(found) < expected:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for r in records:
                    try:
                        value = json.loads(r.value)
                    except ValueError:
                        continue
                    if isinstance(value, dict) and predicate(value):
                        found.append(value)
    finally:
        await consumer.stop()
    if len(found) < expected:
        raise AssertionError(f"{topic}: {len(found)} of {expected} matching messages in {timeout}s")
    return found


async def eventually(check: Callable[[], Any], timeout: float = 60.0, interval: float = 0.3) -> Any:
    """Poll an (async) check until it returns a truthy value; fail with its last error at the deadline."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return result
            last = result
        except AssertionError as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met in {timeout}s: {last!r}")


async def group_lag(bootstrap: str, group: str, topic: str) -> int:
    """Records of `topic` the consumer group `group` has not committed yet (over all partitions; a
    partition it never committed counts from its start)."""
    admin = AIOKafkaAdminClient(**kafka_options(bootstrap))
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=None, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            [described] = await admin.describe_topics([topic])
            partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        starts = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        return sum(
            ends[tp] - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else starts[tp])
            for tp in partitions
        )
    finally:
        await consumer.stop()
        await admin.close()
