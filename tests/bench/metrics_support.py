"""Helpers of the metrics benchmark: the counts an exact pass must reach and those stored, the service
process, its peak memory, and the catalog's beacon in requests/s."""

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from boi_catalog.adapters.mongo import MongoCallRepository
from tests.support.catalog_calls import catalog_call
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"


@dataclass
class Expected:
    """What an exact count of the benchmark's records must reach."""

    totals: Counter[str] = field(default_factory=Counter)
    visitors: Counter[str] = field(default_factory=Counter)
    """Unique visitors per day."""


def peak_mb(svc: ServiceProcess) -> float:
    assert svc.proc is not None
    for line in Path(f"/proc/{svc.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _per_day(docs: list[dict[str, Any]]) -> Counter[str]:
    """Visitors per day: a day is one document per partition (`<day>|p<n>`)."""
    visitors: Counter[str] = Counter()
    for doc in docs:
        visitors[str(doc["_id"]).partition("|")[0]] += int(doc.get("visitors", 0))
    return visitors


async def stored_counts(mongo_url: str, database: str) -> Expected:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        db = client[database]
        return Expected(
            Counter({d["_id"]: d["total"] async for d in db["call_counts"].find({}, {"total": 1})}),
            _per_day([d async for d in db["days"].find({}, {"visitors": 1})]),
        )
    finally:
        await client.close()


async def beacons_per_second(stack: StackEndpoints, n: int) -> float:
    database = f"catalog_bench_{uuid.uuid4().hex[:8]}"
    repository = MongoCallRepository(stack.mongo_url, database)
    await repository.insert_many([catalog_call("c-bench-beacon")])
    await repository.close()
    env = {**stack.service_env(), "BOI_MONGO_DATABASE": database, "BOI_BEACON_RATE_PER_MINUTE": "0"}
    env["BOI_API_RATE_PER_MINUTE"] = "0"  # the shared per-client limit of every public route, off too
    svc = ServiceProcess("catalog", env).start()
    body = b'{"events": [{"call_id": "c-bench-beacon", "kind": "search_result", "position": 0}]}'
    headers = {"User-Agent": BROWSER, "Content-Type": "application/json"}
    try:
        async with httpx.AsyncClient(base_url=svc.url, headers=headers) as client:

            async def worker(count: int) -> None:
                for _ in range(count):
                    response = await client.post("/api/impresiones", content=body)
                    assert response.status_code == 204, (response.status_code, response.text[:200])

            started = time.perf_counter()
            await asyncio.gather(*(worker(n // 8) for _ in range(8)))
            return (n // 8 * 8) / (time.perf_counter() - started)
    finally:
        svc.stop()


def service(stack: StackEndpoints, database: str, users: str, secret: str) -> ServiceProcess:
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": database,
        "BOI_LOG_LEVEL": "WARNING",
        "BOI_SESSION_SECRET": secret,
        "BOI_CONSOLE_USERS": users,
    }
    return ServiceProcess("metrics", env)
