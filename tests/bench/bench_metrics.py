"""Metrics throughput on the real stack: N impressions (1,300 calls, repeat visitors, every kind and
channel) are produced to `metrics.impressions.v1` first, then the metrics service starts and folds them into
its rollups; the figure is impressions/s from its start until its consumer group has committed the end of
every partition, checked exact (the per-call totals equal an independent count). The same run then reads the
very same records with a bare aiokafka consumer (JSON-decoded), for comparison. Also: the service's peak
memory (VmHWM), the catalog's beacon endpoint in requests/s, and the dashboard's render time.

Sizes come from BOI_BENCH_METRICS_N (default 100,000), BOI_BENCH_METRICS_BEACONS (2,000). Targets of issue
13: ≥ 20,000 impressions/s, ≥ 2,000 beacon requests/s, dashboard ≤ 300 ms, peak memory ≤ 300 MB.
"""

import asyncio
import os
import random
import statistics
import time
import uuid
from collections import Counter
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.web.auth import Sessions, User, hash_password
from boi_metrics.domain.rollups import once_key
from boi_shared.events import ImpressionRecorded
from boi_shared.topics import IMPRESSIONS
from tests.support.catalog_calls import catalog_call
from tests.support.kafka import kafka_options
from tests.support.metrics import caught_up
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints, session_stack

CALLS = 1_300
KINDS = [("search_result", "web")] * 12 + [("call_view", "web")] * 4 + [("source_click", "web")] * 2
KINDS += [("email", "email"), ("webhook", "webhook"), ("social", "social"), ("share", "web")]
PARTITIONS = [TopicPartition(IMPRESSIONS.name, p) for p in range(IMPRESSIONS.partitions)]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


def _events(n: int) -> tuple[list[tuple[bytes, bytes]], Counter[str]]:
    """Serialized (key, value) records and the per-call totals an exact count must reach."""
    rng = random.Random(13)
    calls = [f"c-bench-{i:05d}" for i in range(CALLS)]
    visitors = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(max(n // 20, 10))]
    records, expected, once = [], Counter[str](), set()
    for _ in range(n):
        kind, channel = rng.choice(KINDS)
        call = calls[min(int(rng.paretovariate(1.2)) - 1, CALLS - 1)]  # a few calls get most of the reach
        visitor = None if channel in ("email", "webhook", "social") else rng.choice(visitors)
        event = ImpressionRecorded.model_validate(
            {"call_id": call, "kind": kind, "channel": channel, "visitor_id": visitor}
        )
        key = once_key(event)
        if key is None or key not in once:
            expected[call] += 1
            if key:
                once.add(key)
        records.append((call.encode(), event.model_dump_json().encode()))
    return records, expected


async def _produce(bootstrap: str, records: list[tuple[bytes, bytes]]) -> dict[TopicPartition, int]:
    """Send the records; the end offsets before them (where the service and the raw consumer start)."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap))
    await consumer.start()
    starts: dict[TopicPartition, int] = await consumer.end_offsets(PARTITIONS)
    await consumer.stop()
    producer = AIOKafkaProducer(**kafka_options(bootstrap), linger_ms=20, max_batch_size=512 * 1024)
    await producer.start()
    try:
        for key, value in records:
            await producer.send(IMPRESSIONS.name, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()
    return starts


async def _commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False)
    await consumer.start()
    consumer.assign(PARTITIONS)
    await consumer.commit(offsets)
    await consumer.stop()


async def _raw(bootstrap: str, starts: dict[TopicPartition, int], n: int) -> float:
    """Seconds a bare aiokafka consumer takes to read and JSON-decode the same n records."""
    import json

    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), enable_auto_commit=False)
    await consumer.start()
    consumer.assign(PARTITIONS)
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    seen, started = 0, time.perf_counter()
    while seen < n:
        for records in (await consumer.getmany(timeout_ms=1000, max_records=10_000)).values():
            for r in records:
                json.loads(r.value)
                seen += 1
    elapsed = time.perf_counter() - started
    await consumer.stop()
    return elapsed


def _peak_mb(svc: ServiceProcess) -> float:
    assert svc.proc is not None
    for line in open(f"/proc/{svc.proc.pid}/status").read().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _totals(mongo_url: str, database: str) -> Counter[str]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        return Counter(
            {d["_id"]: d["total"] async for d in client[database]["call_counts"].find({}, {"total": 1})}
        )
    finally:
        await client.close()


async def _beacons(stack: StackEndpoints, n: int) -> float:
    database = f"catalog_bench_{uuid.uuid4().hex[:8]}"
    repository = MongoCallRepository(stack.mongo_url, database)
    await repository.insert_many([catalog_call("c-bench-beacon")])
    await repository.close()
    env = {**stack.service_env(), "BOI_MONGO_DATABASE": database, "BOI_BEACON_RATE_PER_MINUTE": "0"}
    svc = ServiceProcess("catalog", env).start()
    body = b'{"events": [{"call_id": "c-bench-beacon", "kind": "search_result", "position": 0}]}'
    headers = {"User-Agent": BROWSER, "Content-Type": "application/json"}
    try:
        async with httpx.AsyncClient(base_url=svc.url, headers=headers) as client:

            async def worker(count: int) -> None:
                for _ in range(count):
                    assert (await client.post("/api/impresiones", content=body)).status_code == 204

            started = time.perf_counter()
            await asyncio.gather(*(worker(n // 8) for _ in range(8)))
            return (n // 8 * 8) / (time.perf_counter() - started)
    finally:
        svc.stop()


def _dashboard_ms(svc: ServiceProcess, cookie: dict[str, str]) -> float:
    timings = []
    for _ in range(7):
        started = time.perf_counter()
        assert httpx.get(f"{svc.url}/consola/metricas", cookies=cookie, timeout=60).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


async def _run(stack: StackEndpoints, n: int, beacons: int) -> dict[str, Any]:
    records, expected = _events(n)
    print(f"   {n:,} impressions, {sum(expected.values()):,} to count after once-per-visitor", flush=True)
    starts = await _produce(stack.kafka_bootstrap, records)
    await _commit(stack.kafka_bootstrap, "metrics", starts)
    database = f"metrics_bench_{uuid.uuid4().hex[:8]}"
    users, secret = f"bench:admin:{hash_password('x', iterations=1000)}", uuid.uuid4().hex
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": database,
        "BOI_LOG_LEVEL": "WARNING",
        "BOI_SESSION_SECRET": secret,
        "BOI_CONSOLE_USERS": users,
    }
    svc = ServiceProcess("metrics", env).start()
    try:
        started = time.perf_counter()
        await caught_up(stack.kafka_bootstrap, "metrics", timeout=max(600.0, n / 50))
        elapsed = time.perf_counter() - started
        peak = _peak_mb(svc)
        totals = await _totals(stack.mongo_url, database)
        cookie = {"boi_console": Sessions(users, secret, secure=False).cookie(User("bench", "admin", "c"))}
        dashboard = _dashboard_ms(svc, cookie)
    finally:
        svc.stop()
    exact = all(totals[c] == v for c, v in expected.items())
    raw = await _raw(stack.kafka_bootstrap, starts, n)
    figures = {
        "impressions/s Kafka→rollups": n / elapsed,
        "impressions/s raw aiokafka": n / raw,
        "rollups exact": exact,
        "peak memory MB": peak,
        "dashboard ms (median of 7)": dashboard,
        "beacon requests/s": await _beacons(stack, beacons),
    }
    for name, value in figures.items():
        print(f"   {name}: {value:,.1f}" if isinstance(value, float) else f"   {name}: {value}", flush=True)
    return figures


def main() -> dict[str, Any]:
    n = int(os.environ.get("BOI_BENCH_METRICS_N", "100000"))
    beacons = int(os.environ.get("BOI_BENCH_METRICS_BEACONS", "2000"))
    with session_stack() as stack:
        return asyncio.run(_run(stack, n, beacons))
