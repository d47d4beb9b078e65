"""Create the contract's topics with their declared partition counts (auto-creation is off)."""

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from boi_shared.kafka_auth import KafkaConnection
from boi_shared.topics import ALL_TOPICS


async def ensure_topics(kafka: KafkaConnection) -> dict[str, int]:
    """Create missing topics (as the admin principal); return every topic of the contract with its
    partition count."""
    admin = AIOKafkaAdminClient(**kafka.client_options(), client_id="boi-stack")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(t.name, num_partitions=t.partitions, replication_factor=1)
            for t in ALL_TOPICS
            if t.name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        described = await admin.describe_topics([t.name for t in ALL_TOPICS])
        return {d["topic"]: len(d["partitions"]) for d in described}
    finally:
        await admin.close()


def ensure_topics_sync(kafka: KafkaConnection) -> dict[str, int]:
    return asyncio.run(ensure_topics(kafka))
