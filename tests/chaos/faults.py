"""The fault driver: a seeded random schedule of crashes, broker loss, pauses, extra replicas and network
trouble, each executed at its time and timed so recovery can be measured."""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.chaos.cluster import SERVICES, Cluster


@dataclass
class Fault:
    at: float  # seconds after the start of the load
    name: str
    action: Callable[[], None]
    started: float = 0.0
    ended: float = 0.0
    error: str = ""


def schedule(cluster: Cluster, seed: int, window: float, *, pause: float, kills: int) -> list[Fault]:
    """Faults spread over [10 %, 85 %] of the load window, in a order fixed by `seed`."""
    rng = random.Random(seed)

    def when() -> float:
        return rng.uniform(0.10, 0.85) * window

    faults = [
        Fault(when(), f"kill -9 {name}", lambda n=name: cluster.kill_service(n))
        for name in SERVICES
        for _ in range(kills)
    ]
    faults.append(Fault(when(), "kill -9 kafka", lambda: cluster.kill_kafka(down_seconds=3)))
    faults.append(Fault(when(), f"pause ferretdb {pause:.0f}s", lambda: cluster.pause("ferretdb", pause)))
    faults.append(
        Fault(when(), f"pause meilisearch {pause:.0f}s", lambda: cluster.pause("meilisearch", pause))
    )
    for name in ("enrich", "catalog", "notify"):
        start = rng.uniform(0.10, 0.45) * window
        faults.append(Fault(start, f"add replica {name}", lambda n=name: cluster.add_replica(n)))
        faults.append(
            Fault(start + 0.3 * window, f"remove replica {name}", lambda n=name: cluster.remove_replica(n))
        )
    faults.append(Fault(when(), "mongo latency 200ms", lambda: _latency(cluster, 0.2, pause / 2)))
    faults.append(Fault(when(), "meili connection resets", lambda: _resets(cluster, pause / 3)))
    return sorted(faults, key=lambda f: f.at)


def _latency(cluster: Cluster, seconds: float, duration: float) -> None:
    cluster.mongo_proxy.latency = seconds
    try:
        time.sleep(duration)
    finally:
        cluster.mongo_proxy.latency = 0.0


def _resets(cluster: Cluster, duration: float) -> None:
    cluster.meili_proxy.resetting = True
    cluster.meili_proxy.reset_all()
    try:
        time.sleep(duration)
    finally:
        cluster.meili_proxy.resetting = False


async def run_faults(faults: list[Fault], t0: float) -> None:
    """Each fault starts at its time, in a thread of its own (faults may overlap, as on a bad day)."""

    async def one(fault: Fault) -> None:
        await asyncio.sleep(max(0.0, t0 + fault.at - time.time()))
        fault.started = time.time()
        print(f"chaos: {fault.started - t0:6.1f}s {fault.name}", flush=True)
        try:
            await asyncio.to_thread(fault.action)
        except Exception as exc:  # a fault that could not be applied is reported, not hidden
            fault.error = f"{type(exc).__name__}: {exc}"[:300]
        fault.ended = time.time()

    await asyncio.gather(*(one(f) for f in faults))
