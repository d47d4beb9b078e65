"""Metrics throughput on the real stack: N impressions (500 calls with known dimensions, repeat visitors,
every kind and channel) are produced to `metrics.impressions.v1` first, then the metrics service starts and
folds them into its rollups. The figure is impressions/s from the first batch its group commits until it
has committed the end of every partition (its start-up is reported apart), checked exact: the per-call
totals and the day's unique visitors equal an independent count. The same run then reads the very same
records with a bare aiokafka consumer (JSON-decoded), side by side. Also: the service's peak memory
(VmHWM), the catalog's beacon endpoint in requests/s, and the dashboard's render time on a database holding
rollups of BOI_BENCH_METRICS_STORED impressions (`metrics_seed.py`: 1,300 calls over a year).

Run it alone: `uv run python -m tests.bench bench_metrics`. Sizes: BOI_BENCH_METRICS_N (default 200,000),
BOI_BENCH_METRICS_BEACONS (2,000), BOI_BENCH_METRICS_STORED (1,000,000). Targets of issue 13: ≥ 20,000
impressions/s, ≥ 2,000 beacon requests/s, dashboard ≤ 300 ms with 1M impressions, peak memory ≤ 300 MB.
"""

import asyncio
import json
import os
import random
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from boi_catalog.web.auth import Sessions, User, hash_password
from boi_metrics.domain.rollups import day_of, once_key
from boi_shared.events import ImpressionRecorded
from boi_shared.topics import IMPRESSIONS
from tests.bench.metrics_seed import TYPES, seed
from tests.bench.metrics_support import Expected, beacons_per_second, peak_mb, service, stored_counts
from tests.support.kafka import kafka_options
from tests.support.stack import StackEndpoints, session_stack

CALLS = 500
KINDS = [("search_result", "web")] * 12 + [("call_view", "web")] * 4 + [("source_click", "web")] * 2
KINDS += [("email", "email"), ("webhook", "webhook"), ("social", "social"), ("share", "web")]
PARTITIONS = [TopicPartition(IMPRESSIONS.name, p) for p in range(IMPRESSIONS.partitions)]


def _events(n: int) -> tuple[list[tuple[bytes, bytes]], Expected]:
    """Serialized (key, value) records and the counts an exact pass must reach."""
    rng = random.Random(13)
    calls = [f"c-bench-{i:05d}" for i in range(CALLS)]
    visitors = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(max(n // 20, 10))]
    records, expected, once, visitor_days = [], Expected(), set(), set()
    for _ in range(n):
        kind, channel = rng.choice(KINDS)
        call = calls[min(int(rng.paretovariate(1.2)) - 1, CALLS - 1)]  # a few calls get most of the reach
        visitor = None if channel in ("email", "webhook", "social") else rng.choice(visitors)
        event = ImpressionRecorded.model_validate(
            {"call_id": call, "kind": kind, "channel": channel, "visitor_id": visitor}
        )
        if visitor and (visitor, day := day_of(event).isoformat()) not in visitor_days:
            visitor_days.add((visitor, day))
            expected.visitors[day] += 1
        key = once_key(event)
        if key is None or key not in once:
            expected.totals[call] += 1
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


async def _progress(bootstrap: str, group: str, starts: dict[TopicPartition, int], n: int) -> list[Any]:
    """Poll the group's committed offsets until all n records are committed: [(time, records committed)]
    at the first commit seen and at the end."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=group, enable_auto_commit=False)
    await consumer.start()
    seen: list[Any] = []
    deadline = time.monotonic() + max(900.0, n / 50)
    try:
        while time.monotonic() < deadline:
            done = sum([max(((await consumer.committed(tp)) or 0) - at, 0) for tp, at in starts.items()])
            if done and not seen:
                seen.append((time.perf_counter(), done))
            if done >= n:
                return [*seen, (time.perf_counter(), done)]
            await asyncio.sleep(0.1)
        raise AssertionError(f"group {group} committed {done} of {n} records in time")
    finally:
        await consumer.stop()


async def _raw(bootstrap: str, starts: dict[TopicPartition, int], n: int) -> float:
    """Seconds a bare aiokafka consumer takes to read and JSON-decode the same n records."""
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


async def _calls(mongo_url: str, database: str) -> None:
    """The benchmark's calls as metrics keeps them from calls.published.v1 (for the breakdowns)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    calls = [
        {"_id": f"c-bench-{i:05d}", "call_type": TYPES[i % len(TYPES)], "sectors": ["educacion"], "ods": [4]}
        for i in range(CALLS)
    ]
    try:
        await client[database]["calls"].insert_many(calls)
    finally:
        await client.close()


async def _dashboard_ms(stack: StackEndpoints, stored: int) -> float:
    """Median render of the dashboard's main page (last 30 days) over rollups of `stored` impressions."""
    database = f"metrics_dash_{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    docs = await seed(stack.mongo_url, database, stored, 1_300)
    totals = await stored_counts(stack.mongo_url, database)
    assert sum(totals.totals.values()) == stored, "the seeded rollups must hold every impression"
    print(f"   seeded {stored:,} impressions as {docs} in {time.perf_counter() - started:.0f}s", flush=True)
    users, secret = f"bench:admin:{hash_password('x', iterations=1000)}", uuid.uuid4().hex
    svc = await asyncio.to_thread(service(stack, database, users, secret).start)
    cookie = {"boi_console": Sessions(users, secret, secure=False).cookie(User("bench", "admin", "c"))}
    timings = []
    try:
        async with httpx.AsyncClient(base_url=svc.url, cookies=cookie, timeout=60) as client:
            for _ in range(7):
                started = time.perf_counter()
                assert (await client.get("/consola/metricas")).status_code == 200
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        svc.stop()
    print(f"   dashboard renders (ms): {', '.join(f'{t:.0f}' for t in timings)}", flush=True)
    return statistics.median(timings)


async def _throughput(stack: StackEndpoints, n: int) -> dict[str, Any]:
    records, expected = _events(n)
    print(f"   {n:,} impressions, {expected.totals.total():,} to count after once-per-visitor", flush=True)
    starts = await _produce(stack.kafka_bootstrap, records)
    await _commit(stack.kafka_bootstrap, "metrics", starts)
    database = f"metrics_bench_{uuid.uuid4().hex[:8]}"
    await _calls(stack.mongo_url, database)
    svc = service(stack, database, "", "")
    watch = asyncio.create_task(_progress(stack.kafka_bootstrap, "metrics", starts, n))
    spawned = time.perf_counter()
    try:
        await asyncio.to_thread(svc.start)
        ready = time.perf_counter() - spawned
        (first_at, first_n), (done_at, _) = await watch
        peak = peak_mb(svc)
    finally:
        svc.stop()
    stored = await stored_counts(stack.mongo_url, database)
    exact = stored.totals == expected.totals and stored.visitors == expected.visitors
    raw = await _raw(stack.kafka_bootstrap, starts, n)
    rate = (n - first_n) / (done_at - first_at)
    return {
        "impressions/s Kafka→rollups": rate,
        "impressions/s raw aiokafka (same records)": n / raw,
        "raw / service": (n / raw) / rate,
        "rollups exact": exact,
        "seconds from spawn to all committed": done_at - spawned,
        "seconds to ready (start-up)": ready,
        "peak memory MB (VmHWM)": peak,
    }


async def _run(stack: StackEndpoints, n: int, beacons: int, stored: int) -> dict[str, Any]:
    print(f"   load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    figures = await _throughput(stack, n)
    for name, value in figures.items():
        print(f"   {name}: {value:,.2f}" if isinstance(value, float) else f"   {name}: {value}", flush=True)
    figures[f"dashboard ms, median of 7 ({stored:,} stored)"] = await _dashboard_ms(stack, stored)
    figures["beacon requests/s"] = await beacons_per_second(stack, beacons)
    print(f"   beacon requests/s: {figures['beacon requests/s']:,.1f}", flush=True)
    print(f"   load average after: {Path('/proc/loadavg').read_text().strip()}", flush=True)
    return figures


def main() -> dict[str, Any]:
    n = int(os.environ.get("BOI_BENCH_METRICS_N", "200000"))
    beacons = int(os.environ.get("BOI_BENCH_METRICS_BEACONS", "2000"))
    stored = int(os.environ.get("BOI_BENCH_METRICS_STORED", "1000000"))
    with session_stack() as stack:
        return asyncio.run(_run(stack, n, beacons, stored))
