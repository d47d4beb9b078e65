"""One chaos run: the cluster, the load, the faults, the checks and the report."""

import asyncio
import json
import random
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from boi_shared.events import ImpressionRecorded
from boi_shared.topics import MAIN_TOPICS
from tests.chaos import checks, topics
from tests.chaos.cluster import Cluster
from tests.chaos.faults import Fault, run_faults, schedule
from tests.chaos.load import Item, LoadDriver
from tests.support.catalog_site import ADMIN
from tests.support.kafka import kafka_options
from tests.support.webhook import WebhookReceiver


@dataclass(frozen=True)
class Plan:
    seed: int
    calls: int
    rate: float
    pause: float
    kills: int
    withdrawals: int
    impressions: int
    drain_seconds: float


FULL = dict(
    calls=10_000, rate=50.0, pause=60.0, kills=2, withdrawals=50, impressions=2_000, drain_seconds=420.0
)
# 300 s: on 2 shared cores FerretDB's SQLite answered a catalog batch "database is locked" after ~60 s at
# a time, and 150 s ended runs with the catalog 67 events behind (counted as lost; the replay then caught up).
SHORT = dict(calls=600, rate=10.0, pause=10.0, kills=1, withdrawals=5, impressions=200, drain_seconds=300.0)


async def poll_searchable(cluster: Cluster, items: list[Item], stop: asyncio.Event) -> None:
    """Marks when each written item first becomes searchable (directly in Meilisearch, not via a proxy)."""
    headers = {"Authorization": f"Bearer {cluster.master_key}"}
    async with httpx.AsyncClient(base_url=cluster.meili_url, headers=headers, timeout=30) as http:
        while not stop.is_set():
            waiting = [i for i in items if i.written_at and i.searchable_at is None]
            for start in range(0, len(waiting), 1000):
                chunk = waiting[start : start + 1000]
                try:
                    answer = await http.post(
                        "/indexes/calls/documents/fetch",
                        json={"ids": [i.call_id for i in chunk], "fields": ["id"], "limit": len(chunk)},
                    )
                    found = {d["id"] for d in answer.json().get("results", [])}
                except (httpx.HTTPError, ValueError):
                    break
                now = time.time()
                for item in chunk:
                    if item.call_id in found:
                        item.searchable_at = now
            await asyncio.sleep(0.5)


async def send_impressions(cluster: Cluster, items: list[Item], count: int, seed: int) -> dict[str, int]:
    """`count` call views of random calls straight onto metrics.impressions.v1, spread over the run."""
    rng = random.Random(seed + 1)
    sent: dict[str, int] = {}
    producer = AIOKafkaProducer(**kafka_options(cluster.cfg.kafka_bootstrap), acks="all")
    await producer.start()
    try:
        for n in range(count):
            item = rng.choice(items[: max(1, len(items) // 2)])
            event = ImpressionRecorded(call_id=item.call_id, kind="call_view", channel="web")
            while True:
                try:
                    await producer.send_and_wait(
                        "metrics.impressions.v1", event.model_dump_json().encode(), key=item.call_id.encode()
                    )
                    break
                except Exception:  # broker down: the driver keeps its own promise of at-least-once
                    await asyncio.sleep(1.0)
            sent[item.call_id] = sent.get(item.call_id, 0) + 1
            if n % 50 == 49:
                await asyncio.sleep(1.0)
    finally:
        await producer.stop()
    return sent


async def _sign_in(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    form = await client.get("/consola/entrar")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    done = csrf and await client.post(
        "/consola/entrar", data={"csrf": csrf[1], "usuario": ADMIN[0], "clave": ADMIN[1]}
    )
    if not done or done.status_code != 303:
        await client.aclose()
        raise httpx.HTTPError("sign-in refused")
    return client


async def _withdraw_one(client: httpx.AsyncClient, item: Item) -> bool:
    """The curator opens the call's editor (it must have reached the catalog) and withdraws it."""
    editor = await client.get(f"/consola/convocatorias/{item.call_id}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', editor.text)
    if editor.status_code != 200 or not csrf:
        return False
    done = await client.post(
        f"/consola/convocatorias/{item.call_id}/retirar",
        data={"csrf": csrf[1], "motivo": "Retirada en la prueba de fallos"},
    )
    return done.status_code == 303


async def withdraw(cluster: Cluster, items: list[Item], deadline: float) -> None:
    """A curator withdraws calls in the console, signing in again when the catalog restarted."""
    client: httpx.AsyncClient | None = None
    for item in items:
        while not item.withdrawn and time.time() < deadline:
            try:
                if client is None or str(client.base_url).rstrip("/") != cluster.url("catalog"):
                    client = await _sign_in(cluster.url("catalog"))
                item.withdrawn = await _withdraw_one(client, item)
            except httpx.HTTPError:
                client = None
            if not item.withdrawn:
                await asyncio.sleep(1.0)
        item.withdraw_tried = True
    if client:
        await client.aclose()


async def quiesce(cluster: Cluster, driver: LoadDriver, deadline: float) -> dict[str, int]:
    """Wait until ingest has nothing to run and every consumer group has committed everything, twice."""
    calm, lag = 0, {}
    while time.time() < deadline:
        try:
            lag = await topics.lag(cluster.cfg.kafka_bootstrap)
        except Exception:
            lag = {"unknown": -1}
        calm = calm + 1 if driver.idle and not any(lag.values()) else 0
        if calm >= 3:
            break
        await asyncio.sleep(2.0)
    return lag


def snapshot(mongo_url: str) -> dict[str, tuple[Any, ...]]:
    return {
        cid: (d.get("content_hash"), d.get("status"), d.get("title"), d.get("deadline"))
        for cid, d in checks.catalog_docs(mongo_url).items()
    }


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def recovery(fault: Fault, items: list[Item]) -> float | None:
    """Seconds after the fault ended until every call written before its end was searchable."""
    before = [i for i in items if i.written_at and i.written_at <= fault.ended]
    if not before or any(i.searchable_at is None for i in before):
        return None
    return max(0.0, max(i.searchable_at or 0.0 for i in before) - fault.ended)


async def chaos(plan: Plan, work: Path) -> int:
    """The whole run; returns the exit status (0 only when every count is 0)."""
    print(
        f"chaos: seed {plan.seed}, {plan.calls} calls at {plan.rate:.0f}/s (replay: --seed {plan.seed})",
        flush=True,
    )
    receiver = WebhookReceiver().start()
    cluster = Cluster(webhook_url=receiver.url)
    status = 1
    try:
        await asyncio.to_thread(cluster.up)
        status = await _run(plan, work, cluster, receiver)
        return status
    finally:
        if status:
            logs = Path(tempfile.gettempdir()) / f"boi-chaos-logs-{plan.seed}"
            cluster.keep_logs(logs)
            print(f"chaos: logs of every process kept in {logs}")
        await asyncio.to_thread(cluster.down)
        receiver.stop()


async def _run(plan: Plan, work: Path, cluster: Cluster, receiver: WebhookReceiver) -> int:
    driver = LoadDriver(
        work / "feeds", lambda: cluster.url("ingest"), cluster.admin_token, plan.seed, plan.calls, plan.rate
    )
    window = plan.calls / plan.rate
    faults = schedule(cluster, plan.seed, window, pause=plan.pause, kills=plan.kills)
    stop = asyncio.Event()
    t0 = time.time()
    background = [
        asyncio.create_task(driver.run_pending_forever()),
        asyncio.create_task(poll_searchable(cluster, driver.items, stop)),
    ]
    fault_task = asyncio.create_task(run_faults(faults, t0))
    impressions = asyncio.create_task(send_impressions(cluster, driver.items, plan.impressions, plan.seed))
    await driver.feed_new()
    await fault_task
    await driver.change_every_fifth()
    await withdraw(cluster, driver.pick_withdrawals(plan.withdrawals), time.time() + plan.drain_seconds)
    sent = await impressions
    print(f"chaos: {time.time() - t0:6.1f}s load and faults done; draining", flush=True)
    lag = await quiesce(cluster, driver, time.time() + plan.drain_seconds)
    print(f"chaos: {time.time() - t0:6.1f}s drained (lag {lag}); checking", flush=True)
    if any(lag.values()):
        print(
            f"chaos: the drain timed out after {plan.drain_seconds:.0f}s with events still unread: calls "
            "behind count as lost below, and the replay's changes include the catch-up",
            flush=True,
        )
    await asyncio.sleep(3)  # the index queue and the last webhooks settle after the last commit
    stop.set()
    for task in background:
        task.cancel()

    findings = await _check(cluster, driver, receiver, sent)
    for line in (findings.lost + findings.index_difference)[:30]:  # before the replay, which may fail
        print(f"chaos: {line}", flush=True)
    print(f"chaos: {time.time() - t0:6.1f}s checked; replaying calls.raw.v1 from offset 0", flush=True)
    replay_changed = await _replay(cluster, driver, plan)
    _report(plan, faults, driver, findings, lag, replay_changed, t0)
    return 1 if findings.failed or replay_changed else 0


async def _check(
    cluster: Cluster, driver: LoadDriver, receiver: WebhookReceiver, sent: dict[str, int]
) -> checks.Findings:
    f = checks.Findings()
    bootstrap = cluster.cfg.kafka_bootstrap
    docs = checks.catalog_docs(cluster.direct_mongo_url)
    raw = await topics.read_all(bootstrap, "calls.raw.v1")
    print(
        f"chaos: calls.raw.v1 holds {len(raw)} events of {len({e.get('call_id') for e in raw})} calls; "
        f"MongoDB holds {len(docs)} calls; {sum(1 for i in driver.items if i.searchable_at)} seen searchable"
    )
    checks.check_calls(driver.items, raw, docs, f)
    checks.check_index(docs, cluster.meili_url, cluster.master_key, f)
    delivered = [str(json.loads(r.body).get("event_id")) for r in receiver.requests if r.body]
    checks.check_notifications(await topics.read_all(bootstrap, "calls.published.v1"), delivered, f)
    letters = {t.name: await topics.read_all(bootstrap, t.dlq.name) for t in MAIN_TOPICS}
    checks.check_dead_letters(letters, f)
    f.impressions_sent = sum(sent.values())
    async with httpx.AsyncClient(base_url=cluster.url("metrics"), timeout=30) as http:
        for cid in sent:
            try:
                answer = await http.get(f"/api/metrics/calls/{cid}")
            except httpx.HTTPError as exc:
                print(f"chaos: metrics unreachable, impressions not counted: {exc!r}")
                break
            # only the call views sent: notify's webhook and email impressions of the same calls count too
            views = answer.json().get("by_kind", {}).get("call_view", 0) if answer.status_code == 200 else 0
            f.impressions_counted += int(views)
    return f


async def _replay(cluster: Cluster, driver: LoadDriver, plan: Plan) -> int:
    """Re-consume calls.raw.v1 from offset 0 through enrich and catalog: the catalog must not change."""
    before = snapshot(cluster.direct_mongo_url)
    for proc in cluster.replicas["enrich"]:
        proc.stop()
    await topics.rewind(cluster.cfg.kafka_bootstrap, "enrich", "calls.raw.v1")
    cluster.replicas["enrich"] = [
        await asyncio.to_thread(lambda: cluster._service("enrich").start(timeout=180))
    ]
    await quiesce(cluster, driver, time.time() + plan.drain_seconds)
    after = snapshot(cluster.direct_mongo_url)
    changed = [cid for cid in before.keys() | after.keys() if before.get(cid) != after.get(cid)]
    for cid in changed[:5]:
        print(f"chaos: replay changed {cid}: {before.get(cid)} -> {after.get(cid)}")
    return len(changed)


def _report(
    plan: Plan,
    faults: list[Fault],
    driver: LoadDriver,
    f: checks.Findings,
    lag: dict[str, int],
    replay_changed: int,
    t0: float,
) -> None:
    print(
        "\nchaos: faults (start s, what, recovery s = until every call written before its end was searchable)"
    )
    for fault in faults:
        rec = recovery(fault, driver.items)
        took = f"{rec:.1f}" if rec is not None else "never"
        err = f"  FAULT NOT APPLIED: {fault.error}" if fault.error else ""
        print(f"  {fault.started - t0:7.1f}  {fault.name:<28} recovery {took}{err}")
    fresh = [i.searchable_at - i.written_at for i in driver.items if i.searchable_at and i.written_at]
    print(
        f"chaos: freshness ingest→searchable p50 {_pct(fresh, 0.5):.1f}s p95 {_pct(fresh, 0.95):.1f}s "
        f"over {len(fresh)} calls ({plan.rate:.0f} calls/s offered)"
    )
    print(f"chaos: ingest runs retried {driver.runs_failed}; final consumer lag {lag}")
    print(f"chaos: impressions sent {f.impressions_sent}, counted {f.impressions_counted}")
    print(f"chaos: replay of calls.raw.v1 from offset 0 changed {replay_changed} calls")
    for reason, n in f.dead_letter_reasons.most_common(10):
        print(f"chaos: dead letters {n} × {reason}")
    if f.failed or replay_changed:
        print(f"chaos: FAILED — replay this exact run with `make chaos CHAOS_ARGS='--seed {plan.seed}'`")
    print(
        f"chaos: lost {len(f.lost)}, duplicated {f.duplicated}, index difference {len(f.index_difference)}, "
        f"notifications lost {f.notifications_lost} duplicated {f.notifications_duplicated}, "
        f"valid dead letters {f.valid_dead_letters} (seed {plan.seed})",
        flush=True,
    )
