"""Write docs/screenshot-metrics-dashboard.png and docs/screenshot-metrics-public.png in headless Chromium.

`uv run python -m tests.browser.screenshot_metrics` starts a session stack (or reuses the one named by
BOI_TEST_*), publishes 24 constructed calls (`calls.published.v1`) and ~2,000 constructed impressions spread
over the last 30 days (`metrics.impressions.v1`), starts the metrics service on them, signs a console
session with the catalog's own code, and photographs the dashboard and the public statistics page. The
data are constructed, not real figures of the office.
"""

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaProducer

from boi_catalog.web.auth import Sessions, User, hash_password
from boi_shared.events import CallPublished, ImpressionRecorded, PublicCall
from boi_shared.taxonomy import CallType
from boi_shared.topics import CALLS_PUBLISHED, IMPRESSIONS
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.kafka import kafka_options
from tests.support.metrics import caught_up
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints, session_stack

DOCS = Path(__file__).resolve().parents[2] / "docs"
KINDS = ["search_result"] * 10 + ["call_view"] * 4 + ["source_click", "share", "email", "social", "applied"]
TITLES = ["Beca de maestría", "Fondo de cultura", "Premio de periodismo", "Curso virtual de clima"]


async def _publish(stack: StackEndpoints, rng: random.Random) -> None:
    producer = AIOKafkaProducer(**kafka_options(stack.kafka_bootstrap), linger_ms=10)
    await producer.start()
    now = datetime.now(UTC)
    calls = [f"c-demo-{i:02d}" for i in range(24)]
    for i, cid in enumerate(calls):
        call = PublicCall(
            url=f"https://example.org/{cid}",
            title=f"{TITLES[i % 4]} {i + 1}",
            summary="Constructed for the screenshot.",
            status="publicada",
            call_type=list(CallType)[i % 5],
            ods=[4, 5, 10, 13, 17][i % 5 : i % 5 + 1],
            sectors=["educación", "cultura", "ambiente"][i % 3 : i % 3 + 1],
            funder=["Unión Europea", "Gobierno de Japón", "Fundación Carolina"][i % 3],
        )
        event = CallPublished(
            call_id=cid, version=1, change="published", call=call, occurred_at=now - timedelta(days=i)
        )
        await producer.send(CALLS_PUBLISHED.name, event.model_dump_json().encode(), key=cid.encode())
    visitors = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(300)]
    for _ in range(2_000):
        kind = rng.choice(KINDS)
        channel = {"email": "email", "social": "social"}.get(kind, "web")
        event = ImpressionRecorded.model_validate(
            {
                "call_id": calls[min(int(rng.paretovariate(1.0)) - 1, 23)],
                "kind": kind,
                "channel": channel,
                "channel_detail": "linkedin" if channel == "social" else None,
                "visitor_id": rng.choice(visitors) if channel == "web" else None,
                "occurred_at": now - timedelta(days=rng.randrange(30), minutes=rng.randrange(1440)),
            }
        )
        await producer.send(IMPRESSIONS.name, event.model_dump_json().encode(), key=event.call_id.encode())
    await producer.stop()


async def _shoot(stack: StackEndpoints) -> None:
    from playwright.async_api import async_playwright

    users, secret = f"ana:admin:{hash_password('x', iterations=1000)}", uuid.uuid4().hex
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": f"metrics_shot_{uuid.uuid4().hex[:6]}",
        "BOI_SESSION_SECRET": secret,
        "BOI_CONSOLE_USERS": users,
        "BOI_LOG_LEVEL": "WARNING",
    }
    await _publish(stack, random.Random(7))
    svc = ServiceProcess("metrics", env).start()
    try:
        await caught_up(stack.kafka_bootstrap, "metrics", timeout=900)
        cookie = Sessions(users, secret, secure=False).cookie(User("ana", "admin", "c"))
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            await context.add_cookies([{"name": "boi_console", "value": cookie, "url": svc.url}])
            page = await context.new_page()
            await page.goto(f"{svc.url}/consola/metricas")
            await page.screenshot(path=str(DOCS / "screenshot-metrics-dashboard.png"), full_page=True)
            await page.goto(f"{svc.url}/estadisticas")
            await page.screenshot(path=str(DOCS / "screenshot-metrics-public.png"), full_page=True)
            await browser.close()
    finally:
        svc.stop()


if __name__ == "__main__":
    with session_stack() as endpoints:
        asyncio.run(_shoot(endpoints))
