"""Daily digest throughput on the real stack: 10,000 confirmed subscribers × 7 calls of the day, rendered
(Jinja2 + css-inline), claimed in the delivery log (FerretDB), handed to a real SMTP server (Mailpit) and
counted as `email` impressions on Kafka, by `boi notify digest` run as an operator runs it (its own
process, whose peak memory, VmHWM, is read from /proc while it runs). Then raw `aiosmtplib` sends the
same messages, rendered beforehand, to the same server over as many kept-open connections as the digest's
sessions (`BOI_BENCH_MAIL_CONCURRENCY`, 8). Targets: ≤ 60 s, ≥ 0.5× the raw rate, peak memory ≤ 300 MB.

Subscribers and calls are constructed here (not real data): addresses at example.org, each subscription
one call type or a whole-catalog topic, so that every subscriber matches all 7 calls.
"""

import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosmtplib
from pymongo import AsyncMongoClient

from boi_notify.adapters.smtp import mime
from boi_notify.domain.mail import Kind
from boi_notify.domain.subscription import Topic
from boi_notify.service.emails import Footer, MailRenderer
from boi_shared.events import PublicCall
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.stack import StackEndpoints, session_stack

SUBSCRIBERS = 10_000
CALLS = 7
DAY = "2031-06-11"
CONCURRENCY = int(os.environ.get("BOI_BENCH_MAIL_CONCURRENCY", "8"))
"""SMTP sessions of both sides: the digest's `BOI_MAIL_CONCURRENCY` and raw aiosmtplib's connections."""
TARGET_SECONDS, TARGET_RATIO, TARGET_MB = 60.0, 0.5, 300.0


def _calls() -> list[PublicCall]:
    kinds = [CallType.BECA, CallType.SUBVENCION, CallType.PREMIO, CallType.CURSO]
    return [
        PublicCall(
            url=f"https://funder{i}.example.org/call/{i}",
            public_url=f"https://boi.example.org/convocatorias/c-bench{i}",
            title=f"Convocatoria de prueba número {i}: becas y fondos para proyectos culturales",
            summary="Financia proyectos de cooperación cultural y formación de hasta 24 meses. " * 3,
            call_type=kinds[i % len(kinds)],
            deadline=datetime(2031, 8, 1 + i, tzinfo=UTC).date(),
            colombia_eligible=Eligibility.SI,
            language="es",
            status="publicada",
        )
        for i in range(CALLS)
    ]


async def _seed(stack: StackEndpoints, database: str, calls: list[PublicCall]) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    db = client[database]
    now = datetime(2031, 6, 11, 15, tzinfo=UTC)
    await db["calls"].insert_many(
        [
            {"_id": f"c-bench{i}", "version": 1, "call": c.model_dump(mode="json"), "previous": None,
             "status": "publicada", "first_published_at": now, "updated_at": now}
            for i, c in enumerate(calls)
        ]
    )  # fmt: skip
    people, subs = [], []
    for n in range(SUBSCRIBERS):
        pid = f"p{n:05d}"
        people.append({"_id": pid, "email": f"lector{n:05d}@example.org", "suppressed_at": None})
        subs.append(
            {"_id": f"s-{pid}", "subscriber_id": pid, "topic": Topic().to_doc(), "frequency": "diaria",
             "status": "confirmed", "created_at": now, "confirmed_at": now}
        )  # fmt: skip
    for start in range(0, SUBSCRIBERS, 2000):
        await db["subscribers"].insert_many(people[start : start + 2000])
        await db["subscriptions"].insert_many(subs[start : start + 2000])
    await client.close()


def _digest(stack: StackEndpoints, database: str) -> tuple[float, float, str]:
    """Runs `boi notify digest` in its own process; (seconds, peak MB of that process, its output)."""
    env = {
        **os.environ,
        **stack.service_env(),
        "BOI_MONGO_DATABASE": database,
        "BOI_SUBSCRIPTION_SECRET": secrets.token_urlsafe(32),
        "BOI_MAIL_CONCURRENCY": str(CONCURRENCY),
        "BOI_LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).parent / "boi"),
        "notify",
        "digest",
        "--period",
        "diaria",
        "--fecha",
        DAY,
    ]
    with tempfile.TemporaryFile("w+") as out:  # a pipe nobody reads fills up and blocks the child
        started = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        # The process's own high-water mark (VmHWM), read while it runs: the kernel's rusage of a child
        # counts the parent's memory at the fork (after the catalog's bench, 1.4 GB of the bench's own).
        peak_kb = 0
        while proc.poll() is None:
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        out.seek(0)
        output = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"boi notify digest failed:\n{output[-2000:]}")
    return elapsed, peak_kb / 1024, output


def _vm_hwm_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just exited
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


async def _raw(stack: StackEndpoints, calls: list[PublicCall]) -> float:
    renderer = MailRenderer("https://boi.example.org/suscripcion/privacidad")
    sender = "Boletín de Oferta Internacional <boletin@localhost>"
    messages = []
    for n in range(SUBSCRIBERS):
        footer = Footer(Topic(), "diaria", f"https://n.example/m?t={n}", f"https://n.example/b?t={n}")
        mail = renderer.calls(f"crudo{n:05d}@example.org", Kind.DIGEST, calls, footer, DAY)
        messages.append((mail.to, mime(mail, sender).as_bytes()))
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for item in messages:
        queue.put_nowait(item)

    async def session() -> None:
        """One kept-open connection, as each of the digest's sessions."""
        async with aiosmtplib.SMTP(hostname=stack.smtp_host, port=stack.smtp_port) as client:
            while not queue.empty():
                to, data = queue.get_nowait()
                await client.sendmail("boletin@localhost", [to], data)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(CONCURRENCY):
            group.create_task(session())
    return time.perf_counter() - started


def _load() -> str:
    """The 1-minute load average: the machine is shared, figures depend on it."""
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> dict[str, Any]:
    calls = _calls()
    database = f"notify_bench_{uuid.uuid4().hex[:8]}"
    with session_stack() as stack:
        asyncio.run(_seed(stack, database, calls))
        print(f"   seeded {SUBSCRIBERS:,} confirmed daily subscribers and {CALLS} calls of {DAY}", flush=True)
        loads = [_load()]
        ours, peak_mb, output = _digest(stack, database)
        print("   " + output.strip().splitlines()[-1], flush=True)
        loads.append(_load())
        raw = asyncio.run(_raw(stack, calls))
        loads.append(_load())
    ours_rate, raw_rate = SUBSCRIBERS / ours, SUBSCRIBERS / raw
    ratio = ours_rate / raw_rate
    print(f"   SMTP sessions on both sides: {CONCURRENCY}; load average (1 min) before the digest, after it,")
    print(f"   after raw: {' → '.join(loads)}")
    print(f"   boi notify digest (render+claim+SMTP+impressions): {ours_rate:,.0f} emails/s ({ours:.1f}s)")
    print(f"   raw aiosmtplib, same messages pre-rendered:        {raw_rate:,.0f} emails/s ({raw:.1f}s)")
    print(f"   ratio {ratio:.2f}x; peak memory of the digest process {peak_mb:.0f} MB")
    met = ours <= TARGET_SECONDS and ratio >= TARGET_RATIO and peak_mb <= TARGET_MB
    print(
        f"   targets ≤ {TARGET_SECONDS:.0f} s, ≥ {TARGET_RATIO}x, ≤ {TARGET_MB:.0f} MB: "
        + ("met" if met else "NOT met")
    )
    return {
        "digest emails/s": ours_rate,
        "raw aiosmtplib emails/s": raw_rate,
        "digest seconds": ours,
        "ratio": ratio,
        "digest peak MB": peak_mb,
    }
