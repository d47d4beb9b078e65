"""Reading whole topics and consumer-group lag, for the end-of-run checks."""

import asyncio
import json
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CommitFailedError, RebalanceInProgressError, UnknownMemberIdError

from boi_shared.topics import ALL_TOPICS
from tests.support.kafka import kafka_options

GROUPS = {
    "enrich": "calls.raw.v1",
    "catalog": "calls.enriched.v1",
    "notify": "calls.published.v1",
    "metrics": "metrics.impressions.v1",
}


def partitions(topic: str) -> list[TopicPartition]:
    """The topic's partitions as declared in the contract (topics are never auto-created)."""
    spec = next(t for t in ALL_TOPICS if t.name == topic)
    return [TopicPartition(topic, p) for p in range(spec.partitions)]


async def read_all(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every record of `topic` from offset 0 to its current end, values decoded as JSON objects."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        parts = partitions(topic)
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        await consumer.seek_to_beginning(*parts)
        out: list[dict[str, Any]] = []
        starts = await consumer.beginning_offsets(parts)
        if any(starts[tp] > 0 for tp in parts):  # the broker deleted records: say so, never count them lost
            first, last = [starts[tp] for tp in parts], [ends[tp] for tp in parts]
            print(f"chaos: {topic} starts at offsets {first}, ends at {last}")
        remaining = {tp for tp in parts if ends[tp] > starts[tp]}
        while remaining:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    try:
                        value = json.loads(record.value) if record.value else {}
                    except ValueError:
                        value = {"_undecodable": True}
                    out.append(value if isinstance(value, dict) else {"_value": value})
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        return out
    finally:
        await consumer.stop()


async def lag(bootstrap: str) -> dict[str, int]:
    """Messages not yet committed by each service's consumer group."""
    admin = AIOKafkaAdminClient(**kafka_options(bootstrap))
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap))
    await admin.start()
    await consumer.start()
    try:
        out: dict[str, int] = {}
        for group, topic in GROUPS.items():
            committed = await admin.list_consumer_group_offsets(group)
            ends = await consumer.end_offsets(partitions(topic))
            out[group] = sum(
                end - (committed[tp].offset if tp in committed and committed[tp].offset >= 0 else 0)
                for tp, end in ends.items()
            )
        return out
    finally:
        await consumer.stop()
        await admin.close()


async def rewind(bootstrap: str, group: str, topic: str, patience: float = 120.0) -> None:
    """Commit offset 0 on every partition for `group` once its members are gone: a member killed with
    -9 stays in the group until its session times out, and the broker refuses the commit meanwhile."""
    deadline = time.monotonic() + patience
    while True:
        consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = partitions(topic)
            consumer.assign(parts)
            await consumer.commit(dict.fromkeys(parts, 0))
            return
        except (CommitFailedError, UnknownMemberIdError, RebalanceInProgressError):
            if time.monotonic() > deadline:
                raise
        finally:
            await consumer.stop()
        await asyncio.sleep(2)
