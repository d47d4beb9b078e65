"""Webhook fan-out on the real stack: notify (its own process) delivers every event of
`calls.published.v1` to 20 partner endpoints (local receivers in another process), each delivery
recorded pending in FerretDB, claimed, signed (Standard Webhooks), posted, recorded and counted as a
`webhook` impression on Kafka. Then raw `httpx` posts the same signed bodies to the same receivers with
the same concurrency. Target: ≥ 500 deliveries/s. Run alone: `python -m tests.bench bench_notify_webhooks`.
"""

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from boi_notify.adapters.impressions import KafkaRetryPublisher
from boi_notify.adapters.mongo import MongoEndpointStore, MongoWebhookDeliveries
from boi_notify.domain.signing import signed_headers, webhook_id
from boi_notify.service.partners import Partners, UrlRules
from boi_shared.events import CallPublished, PublicCall
from boi_shared.ids import call_id_for
from boi_shared.outbound import OutboundGuard
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import kafka_options
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints, session_stack

ENDPOINTS = 20
EVENTS = int(os.environ.get("BOI_BENCH_WEBHOOK_EVENTS", "250"))  # × 20 endpoints = 5,000 deliveries
CONCURRENCY = 64
TARGET = 500.0


def _events() -> list[CallPublished]:
    out = []
    for i in range(EVENTS):
        url = f"https://funder.example.org/bench/{uuid.uuid4()}"
        call = PublicCall(
            url=url,
            title=f"Convocatoria de prueba {i}: becas para proyectos culturales",
            summary="Financia proyectos de cooperación cultural y formación de hasta 24 meses. " * 3,
            call_type=CallType.BECA,
            colombia_eligible=Eligibility.SI,
            status="publicada",
        )
        out.append(CallPublished(call_id=call_id_for(url), version=1, change="published", call=call))
    return out


def _count(ports: list[int]) -> tuple[int, int]:
    """(requests, distinct webhook-ids) over all the receivers: they share one process and its counts."""
    found = httpx.get(f"http://127.0.0.1:{ports[0]}/count", timeout=10).json()
    return int(found["requests"]), int(found["ids"])


async def _register(stack: StackEndpoints, database: str, ports: list[int]) -> list[str]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[database]
    partners = Partners(
        MongoEndpointStore(db),
        MongoWebhookDeliveries(db),
        KafkaRetryPublisher(None),
        UrlRules(OutboundGuard(["127.0.0.1"]), allow_http=True),
    )
    secrets = [
        (await partners.add(f"socio-{i:02d}", f"http://127.0.0.1:{port}/hook", shown=True)).secret
        for i, port in enumerate(ports)
    ]
    await client.close()
    return secrets


async def _publish(stack: StackEndpoints, events: list[CallPublished]) -> None:
    producer = AIOKafkaProducer(**kafka_options(stack.kafka_bootstrap), linger_ms=5)
    await producer.start()
    try:
        await asyncio.gather(
            *(
                producer.send("calls.published.v1", e.model_dump_json().encode(), key=e.call_id.encode())
                for e in events
            )
        )
        await producer.flush()
    finally:
        await producer.stop()


async def _raw(ports: list[int], secrets: list[str], events: list[CallPublished]) -> float:
    jobs = []
    for event in events:
        body = event.model_dump_json().encode()
        for i, port in enumerate(ports):
            wid = webhook_id(str(event.event_id), f"raw-{i}")
            jobs.append(
                (
                    f"http://127.0.0.1:{port}/hook",
                    body,
                    signed_headers([secrets[i]], wid, int(time.time()), body),
                )
            )
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(timeout=15) as client:

        async def post(url: str, body: bytes, headers: dict[str, str]) -> None:
            async with gate:
                (await client.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(*job) for job in jobs))
        return len(jobs) / (time.perf_counter() - started)


def main() -> dict[str, float]:
    with session_stack() as stack:
        receivers = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.receivers", str(ENDPOINTS)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert receivers.stdout is not None
            ports: list[int] = json.loads(receivers.stdout.readline())
            return _run(stack, ports)
        finally:
            receivers.terminate()
            receivers.wait(10)


def _run(stack: StackEndpoints, ports: list[int]) -> dict[str, float]:
    database = f"notify_bench_{uuid.uuid4().hex[:8]}"
    secrets = asyncio.run(_register(stack, database, ports))
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": database,
        "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
        "BOI_WEBHOOK_ALLOW_HTTP": "true",
        "BOI_WEBHOOK_CONCURRENCY": str(CONCURRENCY),
        "BOI_SCHEDULER_INTERVAL_SECONDS": "0",
        "BOI_LOG_LEVEL": "WARNING",
    }
    notify = ServiceProcess("notify", env).start()
    try:
        events = _events()
        expected = len(events) * ENDPOINTS
        started = time.perf_counter()
        asyncio.run(_publish(stack, events))
        deadline = started + 900
        received, ids = _count(ports)
        while received < expected and time.perf_counter() < deadline:
            time.sleep(0.2)
            received, ids = _count(ports)
        seconds = time.perf_counter() - started
    finally:
        notify.stop()
    ours = received / seconds
    print(
        f"   notify: {received:,} of {expected:,} deliveries ({ids:,} distinct webhook-id) "
        f"in {seconds:.1f}s = {ours:,.0f}/s",
        flush=True,
    )
    before = received
    raw = asyncio.run(_raw(ports, secrets, events))
    raw_received, _ = _count(ports)
    print(
        f"   raw httpx, same signed bodies, concurrency {CONCURRENCY}: {raw:,.0f}/s "
        f"({raw_received - before:,} posts)",
        flush=True,
    )
    verdict = "met" if ours >= TARGET and received == expected else "NOT met"
    print(f"   target ≥ {TARGET:.0f} deliveries/s: {verdict}; ratio to raw {ours / raw:.2f}", flush=True)
    return {
        "deliveries": float(received),
        "distinct webhook-ids": float(ids),
        "notify deliveries/s": ours,
        "raw httpx posts/s": raw,
        "ratio": ours / raw,
    }
