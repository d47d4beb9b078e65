"""Exactly-once effect of the metrics rollups on the real stack (Kafka + FerretDB): two replicas sharing the
partitions, one restarted in the middle, each visitor counted once per call, day and kind; then the group
is rewound to where the test began with the once-per-visitor markers deleted (as after 48 h), and a replay
leaves every rollup document identical."""

import random
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from boi_metrics import SERVICE
from boi_shared.events import ImpressionRecorded
from boi_shared.topics import IMPRESSIONS
from tests.support.kafka import eventually, kafka_options
from tests.support.metrics import caught_up, rewind_group, snapshot, topic_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

YESTERDAY = datetime.now(UTC).date() - timedelta(days=1)
KINDS = ("search_result", "call_view", "source_click", "share", "email")


def _events(calls: list[str], n: int, rng: random.Random) -> list[ImpressionRecorded]:
    visitors = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(12)]
    # Yesterday and today: markers of older days are deleted by the service's sweep (48 h).
    day = datetime.combine(YESTERDAY, time(0, 5), tzinfo=UTC)
    events = []
    for _ in range(n):
        kind = rng.choice(KINDS)
        events.append(
            ImpressionRecorded.model_validate(
                {
                    "call_id": rng.choice(calls),
                    "kind": kind,
                    "channel": "email" if kind == "email" else "web",
                    "visitor_id": None if kind == "email" else rng.choice(visitors),
                    "occurred_at": day + timedelta(days=rng.randrange(2), minutes=rng.randrange(1400)),
                }
            )
        )
    return events


def _expected(events: list[ImpressionRecorded]) -> tuple[Counter[str], int]:
    """Per call, what must be counted (a visitor once per call, day and kind); unique visitor-days."""
    totals: Counter[str] = Counter()
    once: set[tuple[str, str, str, str]] = set()
    visitor_days: set[tuple[str, str]] = set()
    for e in events:
        day = e.occurred_at.date().isoformat()
        if e.visitor_id:
            visitor_days.add((e.visitor_id, day))
            key = (e.visitor_id, e.call_id, day, e.kind)
            if key in once:
                continue
            once.add(key)
        totals[e.call_id] += 1
    return totals, len(visitor_days)


async def _send(bootstrap: str, events: list[ImpressionRecorded]) -> None:
    producer = AIOKafkaProducer(**kafka_options(bootstrap), linger_ms=5)
    await producer.start()
    try:
        for e in events:
            await producer.send(IMPRESSIONS.name, e.model_dump_json().encode(), key=e.call_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


def _matches(found: Counter[str], expected: Counter[str]) -> bool:
    if found != expected:
        diff = {c: (found[c], expected[c]) for c in expected | found if found[c] != expected[c]}
        raise AssertionError(f"(counted, expected) per call: {diff}")
    return True


def _totals(svc: ServiceProcess, calls: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for call in calls:
        r = httpx.get(f"{svc.url}/api/metrics/calls/{call}", timeout=10)
        if r.status_code == 200:
            found[call] = r.json()["total"]
    return found


@pytest.mark.timeout(900)  # three service starts and two passes over the topic on a loaded machine
async def test_two_replicas_a_restart_and_a_replay_count_exactly_once(stack: StackEndpoints) -> None:
    rng = random.Random(13)
    database = f"metrics_once_{uuid.uuid4().hex[:8]}"
    env = {**stack.service_env(), "BOI_MONGO_DATABASE": database}
    calls = [f"c-once-{uuid.uuid4().hex[:12]}" for _ in range(16)]
    events = _events(calls, 400, rng)
    expected, visitor_days = _expected(events)
    assert sum(expected.values()) < len(events)  # the data does repeat visitors

    # Both passes read the topic from where this test began (other tests' impressions come before).
    mark = await topic_end(stack.kafka_bootstrap)
    await rewind_group(stack.kafka_bootstrap, SERVICE, mark)
    one, two = ServiceProcess(SERVICE, env).start(), ServiceProcess(SERVICE, env).start()
    try:
        await _send(stack.kafka_bootstrap, events[:200])
        two.stop()  # a consumer restart in the middle: its partitions move to the other replica
        await _send(stack.kafka_bootstrap, events[200:300])
        two = ServiceProcess(SERVICE, env).start()
        await _send(stack.kafka_bootstrap, events[300:])
        await eventually(lambda: _matches(_totals(one, calls), expected), timeout=180)
        await caught_up(stack.kafka_bootstrap, SERVICE)
    finally:
        one.stop()
        two.stop()
    first = await snapshot(stack.mongo_url, database)
    wanted = tuple(f"days/{YESTERDAY + timedelta(days=d)}" for d in range(2))  # + "|p<partition>"
    days = [doc for key, doc in first.items() if key.startswith(wanted)]
    assert sum(int(d.get("visitors", 0)) for d in days) >= visitor_days  # + other tests' visitors
    counted = sum(int(v["total"]) for k, v in first.items() if k.startswith("call_counts/c-once-"))
    assert counted == sum(expected.values())

    # Replay from where the test began, the once-per-visitor markers gone as after 48 h: identical totals.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    await client[database]["seen"].delete_many({})
    await client.close()
    await rewind_group(stack.kafka_bootstrap, SERVICE, mark)
    again = ServiceProcess(SERVICE, env).start()
    try:
        await caught_up(stack.kafka_bootstrap, SERVICE, timeout=300)
    finally:
        again.stop()
    assert await snapshot(stack.mongo_url, database) == first
