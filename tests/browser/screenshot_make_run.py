"""Photograph what a newcomer sees on `make run`: the subscription form on a phone and the daily digest in
the local inbox. Start `make run` in one terminal, then in another:

    uv run python -m tests.browser.screenshot_make_run

It subscribes a constructed address from the site's search page (390 px wide), confirms it from the
confirmation email in Mailpit, sends today's digest with `boi notify digest` (the operator command, with
nothing but what `make run` left on the machine), photographs the digest in Mailpit's inbox and follows its
one-click unsubscribe link, so each screenshot comes with proof that the flow around it works. Writes
docs/screenshot-subscribe-form.png and docs/screenshot-digest-inbox.png.
"""

import argparse
import asyncio
import os
import subprocess
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.mail import Mailpit, links

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PHONE = {"width": 390, "height": 844}


async def subscribe(page: Any, site: str, email: str, query: str) -> None:
    await page.goto(f"{site}/?q={query}")
    form = page.locator("#suscripcion")
    await form.scroll_into_view_if_needed()
    await page.fill("#suscripcion-email", email)
    await page.select_option("#suscripcion-frecuencia", "diaria")
    await form.locator("input[name=acepto]").check()
    await page.locator("#suscribirse").screenshot(path=str(DOCS / "screenshot-subscribe-form.png"))
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state()
    print("form sent:", await page.locator("h1").inner_text())


async def confirm(page: Any, mailpit: Mailpit, email: str) -> None:
    [confirmation] = await mailpit.wait(email, "Confirma tu suscripción")
    await page.goto(links(confirmation["Text"], "confirmar")[0])
    await page.get_by_role("button", name="Confirmar mi suscripción").click()
    await page.wait_for_load_state()
    print("confirmation:", await page.locator("h1").inner_text())


def send_todays_digest() -> None:
    today = datetime.now(ZoneInfo("America/Bogota")).date().isoformat()
    command = ["uv", "run", "boi", "notify", "digest", "--period", "diaria", "--fecha", today]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOI_")}  # only what make run left
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300)
    print("boi notify digest:", done.stdout.strip().splitlines()[-1])


async def photograph_digest_and_unsubscribe(page: Any, mailpit: Mailpit, email: str) -> None:
    [digest] = await mailpit.wait(email, "Resumen diario", timeout=120)
    await page.set_viewport_size({"width": 1100, "height": 1000})
    await page.goto(f"{mailpit.url}/view/{digest['ID']}")
    await page.frame_locator("iframe").first.locator("h1").first.wait_for()
    await page.screenshot(path=str(DOCS / "screenshot-digest-inbox.png"))
    [unsubscribe] = links(digest["Text"], "baja")
    await page.goto(unsubscribe)
    await page.locator("form button[type=submit]").first.click()
    await page.wait_for_load_state()
    print("unsubscribe:", await page.locator("h1").inner_text())


async def main(site: str, mailpit_url: str, query: str) -> None:
    from playwright.async_api import async_playwright

    email = f"recien-llegada-{uuid.uuid4().hex[:6]}@example.org"  # constructed, never a person's
    mailpit = Mailpit(mailpit_url)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport=PHONE, locale="es-CO")
        await subscribe(page, site, email, query)
        await confirm(page, mailpit, email)
        send_todays_digest()
        await photograph_digest_and_unsubscribe(page, mailpit, email)
        await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    parser.add_argument("--mailpit", default="http://127.0.0.1:8025")
    parser.add_argument("--q", default="beca", help="The search the subscription saves")
    args = parser.parse_args()
    asyncio.run(main(args.site, args.mailpit, args.q))
