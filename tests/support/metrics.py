"""Helpers for metrics tests: rewind or wait for a consumer group, and read rollups without watermarks."""

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from boi_shared.topics import IMPRESSIONS, TopicSpec
from tests.support.kafka import kafka_options

ROLLUPS = ("call_counts", "call_days", "days")


def _partitions(topic: TopicSpec = IMPRESSIONS) -> list[TopicPartition]:
    return [TopicPartition(topic.name, p) for p in range(topic.partitions)]


async def topic_end(bootstrap: str, topic: TopicSpec = IMPRESSIONS) -> dict[TopicPartition, int]:
    """The topic's end offsets now (impressions by default): where a test's own records begin."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(_partitions(topic))
        return ends
    finally:
        await consumer.stop()


async def rewind_group(bootstrap: str, group: str, to: dict[TopicPartition, int]) -> None:
    """Commit the positions `to` (from `topic_end`) for `group`, whose members must be stopped: its next
    member reads again from there. Not from offset 0: the session's topic also holds every other test's
    impressions, and a test that replayed them all would measure the backlog, not its own records."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(to))
        await consumer.commit(to)
    finally:
        await consumer.stop()


async def caught_up(bootstrap: str, group: str, timeout: float = 120.0) -> None:
    """Poll until `group` has committed the end offset of every partition of the impressions topic."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False)
    await consumer.start()
    deadline = time.monotonic() + timeout
    try:
        ends = await consumer.end_offsets(_partitions())
        while time.monotonic() < deadline:
            committed = {tp: await consumer.committed(tp) for tp in _partitions()}
            if all((committed[tp] or 0) >= end for tp, end in ends.items()):
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"group {group} did not catch up in {timeout}s: {committed} < {ends}")
    finally:
        await consumer.stop()


async def snapshot(mongo_url: str, database: str) -> dict[str, dict[str, Any]]:
    """Every rollup document of `database` without its watermarks and timestamps."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        out: dict[str, dict[str, Any]] = {}
        for name in ROLLUPS:
            async for doc in client[database][name].find({}, {"offsets": 0, "updated_at": 0}):
                out[f"{name}/{doc['_id']}"] = doc
        return out
    finally:
        await client.close()


async def skip_to_end(bootstrap: str, group: str, topic: TopicSpec = IMPRESSIONS) -> None:
    """Commit the end offset of every partition of `topic` for `group`: its next member starts after what
    is there (earlier tests' impressions, thousands when a test paged through the API, are not its to
    count; earlier tests' published calls are not its to read first)."""
    await rewind_group(bootstrap, group, await topic_end(bootstrap, topic))
