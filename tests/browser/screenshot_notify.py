"""Write docs/screenshot-notify-digest.png (a daily digest in Mailpit's web inbox) and
docs/screenshot-notify-console.png (the console's subscriptions page) in headless Chromium.

`uv run python -m tests.browser.screenshot_notify` starts a session stack, the catalog and notify on it,
subscribes and confirms a few constructed addresses (example.org) with several topics and frequencies,
publishes three constructed calls through the catalog, sends today's daily digest with `boi notify digest`
and photographs it in Mailpit, then signs an admin console session with the catalog's own code and
photographs /consola/suscripciones. The data are constructed, not real subscribers of the office.
"""

import asyncio
import os
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from boi_catalog.web.auth import Sessions, User
from boi_shared.taxonomy import CallType
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.catalog_site import Site, catalog_site, days, enriched, users_env
from tests.support.mail import Mailpit
from tests.support.notify_mail import notify_process, subscribed, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import session_stack

DOCS = Path(__file__).resolve().parents[2] / "docs"
SECRET = uuid.uuid4().hex
USERS = users_env()
TOPICS = [
    ("diaria", {"q": "maestría"}),
    ("diaria", {"type": "beca"}),
    ("semanal", {"type": "beca"}),
    ("semanal", {}),
    ("inmediata", {"type": "premio"}),
    ("semanal", {"ods": "4"}),
    ("diaria", {"type": "beca"}),
]


async def _seed(site: Site, notify: ServiceProcess, mailpit: Mailpit) -> str:
    reader = unique_email("lectora")
    await subscribed(notify.url, mailpit, reader, "diaria")
    for frequency, topic in TOPICS:
        await subscribed(notify.url, mailpit, unique_email("persona"), frequency, **topic)
    await site.publish(
        enriched("Beca de maestría en energías renovables en Alemania", deadline=days(35)),
        enriched("Fondo para proyectos culturales comunitarios", call_type=CallType.SUBVENCION,
                 deadline=days(20)),
        enriched("Premio latinoamericano de periodismo de datos", call_type=CallType.PREMIO,
                 deadline=days(12)),
    )  # fmt: skip
    return reader


def _digest(notify: ServiceProcess) -> None:
    today = datetime.now(ZoneInfo("America/Bogota")).date().isoformat()
    command = [str(Path(sys.executable).parent / "boi"), "notify", "digest", "--period", "diaria",
               "--fecha", today]  # fmt: skip
    subprocess.run(command, env={**os.environ, **notify.env}, check=True, timeout=300)


async def _shoot(site: Site, notify: ServiceProcess, mailpit: Mailpit) -> None:
    from playwright.async_api import async_playwright

    reader = await _seed(site, notify, mailpit)
    await asyncio.to_thread(_digest, notify)
    [digest] = await mailpit.wait(reader, "Resumen diario", timeout=120)
    cookie = Sessions(USERS, SECRET, secure=False).cookie(User("ana", "admin", "c"))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1100, "height": 1000}, locale="es-CO")
        page = await context.new_page()
        await page.goto(f"{mailpit.url}/view/{digest['ID']}")
        await page.frame_locator("iframe").first.locator("h1").first.wait_for()
        await page.screenshot(path=str(DOCS / "screenshot-notify-digest.png"))
        await context.add_cookies([{"name": "boi_console", "value": cookie, "url": notify.url}])
        await page.goto(f"{notify.url}/consola/suscripciones")
        await page.screenshot(path=str(DOCS / "screenshot-notify-console.png"), full_page=True)
        await browser.close()


def main() -> None:
    with session_stack() as stack:
        env = {"BOI_CONSOLE_USERS": USERS, "BOI_SESSION_SECRET": SECRET}
        with catalog_site(stack, BOI_SESSION_SECRET=SECRET) as site:
            database = f"notify_shot_{uuid.uuid4().hex[:6]}"
            notify = notify_process(stack, database, BOI_PUBLIC_BASE_URL=site.url, **env).start()
            try:
                asyncio.run(_shoot(site, notify, Mailpit(stack.mailpit_url)))
            finally:
                notify.stop()
    print(DOCS / "screenshot-notify-digest.png", DOCS / "screenshot-notify-console.png")


if __name__ == "__main__":
    main()
