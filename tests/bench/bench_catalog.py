"""Catalog benchmark, side by side on the same documents and queries, on a stack of its own:
(a) indexing throughput from calls.enriched.v1 to searchable through the catalog service vs raw
Meilisearch bulk indexing (batches of 5,000); (b) search latency through the catalog's API vs raw
Meilisearch, a fresh connection per request on both sides (see docs/architecture.md on keep-alive stalls).

The clock of (a) starts before the first event is produced and stops when the last call is searchable.
The load generator stays as light as it can, since it shares the machine: events are serialized before
the clock starts and the index is polled over one connection.

N calls: env BOI_BENCH_CATALOG_N (default 100,000); queries: BOI_BENCH_CATALOG_QUERIES (default 300).
"""

import asyncio
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import meilisearch
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from boi_catalog.adapters.meili_settings import INDEX_SETTINGS
from boi_catalog.domain.call import build_catalog_call
from boi_catalog.domain.search import search_document
from boi_shared.events import CallEnriched, Enrichment, RawCall, SourceRef
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import kafka_options
from tests.support.services import ServiceProcess
from tests.support.stack import session_stack

WORDS = (
    "beca maestría doctorado investigación cooperación fondo subvención premio curso voluntariado "
    "juventud mujeres cultura ciencia innovación clima agua salud educación paz desarrollo rural "
    "emprendimiento tecnología arte música periodismo movilidad intercambio embajada universidad"
).split()
TYPES = [t.value for t in CallType]
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def events(n: int, seed: int = 7) -> list[CallEnriched]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        url = f"https://bench.example.org/{i}"
        title = " ".join(rng.choices(WORDS, k=6)).capitalize()
        text = " ".join(rng.choices(WORDS, k=150))  # ~1.3 KB
        out.append(
            CallEnriched(
                call_id=call_id_for(url),
                version=1,
                call=RawCall(
                    url=url,
                    title=title,
                    text=text,
                    content_hash=f"h{i}",
                    language="es",
                    sources=[SourceRef(source_id="bench", source_type="rss", item_url=url)],
                ),
                enrichment=Enrichment(
                    taxonomy_version="t",
                    provider="local",
                    title_es=title,
                    summary_es=" ".join(rng.choices(WORDS, k=30)),
                    call_type=CallType(rng.choice(TYPES)),
                    colombia_eligible=rng.choice(list(Eligibility)),
                    deadline=date(2027, 1, 1) + timedelta(days=rng.randrange(900)),
                    sectors=rng.sample(WORDS[:10], 2),
                    ods=rng.sample(range(1, 18), 2),
                    countries=["CO"],
                    language=rng.choice(["es", "en", "fr"]),
                    needs_review=False,
                ),
            )
        )
    return out


def queries(k: int, seed: int = 11) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [{"q": rng.choice(WORDS), "type": rng.choice(TYPES)} for _ in range(k)]


def raw_body(q: dict[str, str]) -> dict[str, Any]:
    """The very body the catalog's API sends for `q` (its own query builder)."""
    from boi_catalog.web.query import meili_body, parse

    return meili_body(parse(q=q["q"], call_type=q["type"], limit=20))


def raw_store(mongo_url: str, batch: list[CallEnriched], database: str) -> float:
    """The catalog's own floor: the same call documents bulk-inserted into MongoDB (batches of 500)."""
    from pymongo import MongoClient

    from boi_catalog.adapters.documents import to_document

    docs = [to_document(build_catalog_call(e, None, NOW, auto_publish=True)) for e in batch]
    with MongoClient(mongo_url) as client:
        calls = client[database]["calls"]
        started = time.perf_counter()
        for i in range(0, len(docs), 500):
            calls.insert_many(docs[i : i + 500], ordered=False)
        rate = len(docs) / (time.perf_counter() - started)
        client.drop_database(database)
    return rate


def count(client: httpx.Client, uid: str) -> int:
    r = client.get(f"/indexes/{uid}/stats")
    return int(r.json().get("numberOfDocuments", 0)) if r.status_code == 200 else 0


def raw_indexing(meili_url: str, key: str, docs: list[dict[str, Any]], uid: str) -> float:
    client = meilisearch.Client(meili_url, key, timeout=120)
    client.wait_for_task(client.create_index(uid, {"primaryKey": "id"}).task_uid)
    client.wait_for_task(client.index(uid).update_settings(INDEX_SETTINGS).task_uid)
    started = time.perf_counter()
    tasks = [client.index(uid).add_documents(docs[i : i + 5000]).task_uid for i in range(0, len(docs), 5000)]
    for task in tasks:
        assert client.wait_for_task(task, timeout_in_ms=3_600_000, interval_in_ms=200).status == "succeeded"
    return len(docs) / (time.perf_counter() - started)


def records(batch: list[CallEnriched]) -> list[tuple[bytes, bytes]]:
    """(key, value) of each event, serialized before the clock starts: enrich's work, not the catalog's."""
    return [(e.call_id.encode(), e.model_dump_json().encode()) for e in batch]


async def produce(bootstrap: str, batch: list[tuple[bytes, bytes]], topic: str = "calls.enriched.v1") -> None:
    """Produce `batch` in order, each record to the partition its key hashes to (the default partitioner,
    as enrich's producer does), appended to one record batch per partition: a `send` per record cost the
    load generator ~30 µs each, taken from the machine under test."""
    producer = AIOKafkaProducer(**kafka_options(bootstrap), linger_ms=20, max_batch_size=1 << 20)
    await producer.start()
    try:
        partitions = sorted(await producer.partitions_for(topic))
        to_partition = DefaultPartitioner()
        open_batches: dict[int, Any] = {}
        sent = []
        for key, value in batch:
            partition = to_partition(key, partitions, partitions)
            builder = open_batches.get(partition)
            if builder is None:
                builder = open_batches[partition] = producer.create_batch()
            if builder.append(key=key, value=value, timestamp=None) is None:  # full: send it, start another
                sent.append(await producer.send_batch(builder, topic, partition=partition))
                builder = open_batches[partition] = producer.create_batch()
                builder.append(key=key, value=value, timestamp=None)
        for partition, builder in open_batches.items():
            sent.append(await producer.send_batch(builder, topic, partition=partition))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


def latencies(send: Any, items: list[Any]) -> tuple[float, float]:
    for item in items[:20]:  # warm-up
        send(item)
    samples = []
    for item in items:
        started = time.perf_counter()
        send(item)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def main() -> dict[str, Any]:
    n = int(os.environ.get("BOI_BENCH_CATALOG_N", "100000"))
    k = int(os.environ.get("BOI_BENCH_CATALOG_QUERIES", "300"))
    batch = events(n)
    docs = [search_document(build_catalog_call(e, None, NOW, auto_publish=True)) for e in batch]
    suffix = uuid.uuid4().hex[:6]
    raw_uid, svc_uid = f"bench_raw_{suffix}", f"bench_calls_{suffix}"
    with session_stack() as stack:
        key = stack.meili_master_key
        print(f"   {n:,} calls; raw Meilisearch bulk indexing…", flush=True)
        raw_rate = raw_indexing(stack.meili_url, key, docs, raw_uid)
        print("   raw MongoDB bulk insert of the same calls…", flush=True)
        store_rate = raw_store(stack.mongo_url, batch, f"bench_store_{suffix}")
        env = {
            **stack.service_env(),
            "BOI_MONGO_DATABASE": f"bench_{suffix}",
            "BOI_MEILI_INDEX": svc_uid,
            "BOI_CATALOG_AUTO_PUBLISH": "true",
            "BOI_LOG_LEVEL": "WARNING",
            "BOI_API_RATE_PER_MINUTE": "0",  # the benchmark is not abuse
            "BOI_CONSUME_BATCH_SIZE": "500",
        }
        svc = ServiceProcess("catalog", env).start()
        # One connection for the polling: a new client per poll cost ~25 ms of CPU (the benchmark's own
        # overhead, taken from the machine the catalog and Meilisearch share).
        stats = httpx.Client(base_url=stack.meili_url, headers={"Authorization": f"Bearer {key}"})
        try:
            print("   catalog: calls.enriched.v1 → searchable…", flush=True)
            serialized = records(batch)
            started = time.perf_counter()
            asyncio.run(produce(stack.kafka_bootstrap, serialized))
            produced = time.perf_counter() - started
            deadline = time.monotonic() + 3600
            while count(stats, svc_uid) < n and time.monotonic() < deadline:
                time.sleep(0.25)
            svc_rate = n / (time.perf_counter() - started)
            print(f"   (produced in {produced:.1f}s)", flush=True)

            qs = queries(k)
            headers = {"Authorization": f"Bearer {key}"}

            def raw(q: dict[str, str]) -> None:
                with httpx.Client(headers=headers) as c:  # a fresh connection per search
                    r = c.post(f"{stack.meili_url}/indexes/{raw_uid}/search", json=raw_body(q))
                    assert r.status_code == 200, r.text

            def api(q: dict[str, str]) -> None:
                with httpx.Client() as c:
                    r = c.get(f"{svc.url}/api/calls", params={**q, "limit": "20"})
                    assert r.status_code == 200, r.text

            raw_p50, raw_p99 = latencies(raw, qs)
            api_p50, api_p99 = latencies(api, qs)
        finally:
            stats.close()
            svc.stop()
    rows = [
        ("indexing docs/s", raw_rate, svc_rate, svc_rate / raw_rate, "≥ 0.8×"),
        ("(MongoDB insert/s)", store_rate, svc_rate, svc_rate / store_rate, "(floor)"),
        ("search p50 ms", raw_p50, api_p50, api_p50 / raw_p50, "≤ 1.5×"),
        ("search p99 ms", raw_p99, api_p99, api_p99 / raw_p99, "≤ 2×"),
    ]
    print(f"   {'N = ' + format(n, ','):<18}{'raw Meili':>12}{'catalog':>12}{'ratio':>9}  target")
    for name, a, b, ratio, target in rows:
        print(f"   {name:<18}{a:>12,.1f}{b:>12,.1f}{ratio:>8.2f}×  {target}")
    return {
        "n": n,
        "raw indexing docs/s": raw_rate,
        "catalog indexing docs/s": svc_rate,
        "raw MongoDB insert docs/s": store_rate,
        "raw search p50 ms": raw_p50,
        "raw search p99 ms": raw_p99,
        "api search p50 ms": api_p50,
        "api search p99 ms": api_p99,
    }


if __name__ == "__main__":
    main()
