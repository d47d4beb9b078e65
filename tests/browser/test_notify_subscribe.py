"""Subscribing from a search page on a phone-sized screen in headless Chromium: the site's form posts the
current search to notify, the confirmation lands in Mailpit, the confirmed subscriber gets the next
matching call. With BOI_SCREENSHOTS=1 it also writes docs/screenshot-subscribe-form.png and
docs/screenshot-digest-inbox.png (the daily digest of the same subscriber in Mailpit's inbox)."""

import asyncio
import os
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.install import axe_script
from boi_shared.taxonomy import CallType
from tests.browser.test_accessibility import audit
from tests.support.catalog_site import Site, catalog_site, days, enriched, word
from tests.support.mail import Mailpit, links
from tests.support.notify_mail import notify_process, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

pytestmark = [pytest.mark.browser, pytest.mark.stack]
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = os.environ.get("BOI_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = notify_process(stack, f"notify_browser_{uuid.uuid4().hex[:8]}").start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def site(stack: StackEndpoints, notify: ServiceProcess) -> Iterator[Site]:
    with catalog_site(stack, BOI_NOTIFY_PUBLIC_URL=notify.url) as running:
        yield running


async def test_subscribe_from_a_search_page_on_a_phone(
    page: Any, site: Site, notify: ServiceProcess, stack: StackEndpoints
) -> None:
    w = word()
    await site.publish(enriched(f"Beca {w} de maestría en Japón", deadline=days(40)))
    email = unique_email("movil")
    await page.goto(f"{site.url}/?q={w}&type=beca")
    form = page.locator("#suscripcion")
    await form.scroll_into_view_if_needed()
    await page.fill("#suscripcion-email", email)
    await page.select_option("#suscripcion-frecuencia", "inmediata")
    await form.locator("input[name=acepto]").check()
    box = await form.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    assert await form.locator("a[href$='/suscripcion/privacidad']").count() == 1
    if SCREENSHOTS:
        await page.locator("#suscribirse").screenshot(path=str(DOCS / "screenshot-subscribe-form.png"))
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(f"{notify.url}/suscripcion")
    assert "Revisa tu correo" in await page.locator("h1").inner_text()

    mailpit = Mailpit(stack.mailpit_url)
    [confirmation] = await mailpit.wait(email, "Confirma tu suscripción")
    assert f"«{w}»" in confirmation["Text"] and "Beca" in confirmation["Text"]  # the search as the topic
    [link] = links(confirmation["Text"], "confirmar")
    await page.goto(link)
    await page.get_by_role("button", name="Confirmar mi suscripción").click()
    await page.wait_for_load_state()
    assert "Suscripción confirmada" in await page.locator("h1").inner_text()

    newer = enriched(f"Beca {w} de doctorado en Corea", deadline=days(50))
    other = enriched(f"Premio {w} de periodismo", call_type=CallType.PREMIO, deadline=days(50))
    await site.publish(other, newer)
    [alert] = await mailpit.wait(email, "Nueva convocatoria", timeout=90)
    assert alert["Subject"] == f"Nueva convocatoria: Beca {w} de doctorado en Corea"
    if SCREENSHOTS:
        await _digest_screenshot(page, site, notify, mailpit, w)


async def _digest_screenshot(page: Any, site: Site, notify: ServiceProcess, mailpit: Mailpit, w: str) -> None:
    """A daily subscriber of the same search, today's digest sent by `boi notify digest`, shown in Mailpit."""
    email = unique_email("diario")
    form = {"email": email, "q": w, "frecuencia": "diaria", "acepto": "si"}
    assert httpx.post(f"{notify.url}/suscripcion", data=form, timeout=20).status_code == 200
    [confirmation] = await mailpit.wait(email, "Confirma")
    httpx.post(links(confirmation["Text"], "confirmar")[0], timeout=10)
    today = datetime.now(ZoneInfo("America/Bogota")).date().isoformat()
    command = [
        str(Path(sys.executable).parent / "boi"),
        "notify",
        "digest",
        "--period",
        "diaria",
        "--fecha",
        today,
    ]
    proc = await asyncio.create_subprocess_exec(*command, env={**os.environ, **notify.env})
    assert await proc.wait() == 0
    [digest] = await mailpit.wait(email, "Resumen diario")
    await page.set_viewport_size({"width": 1100, "height": 1000})
    await page.goto(f"{mailpit.url}/view/{digest['ID']}")
    await page.frame_locator("iframe").first.locator("h1").first.wait_for()  # the message's own page
    await page.screenshot(path=str(DOCS / "screenshot-digest-inbox.png"))


@pytest.fixture(scope="module")
def axe_js() -> str:
    script: Path = axe_script(StackConfig())
    if not script.exists():
        pytest.skip(f"{script} missing: run `make setup` (boi stack install installs axe-core from npm)")
    return script.read_text(encoding="utf-8")


async def test_subscription_form_and_pages_have_no_wcag_violation_on_a_phone(
    page: Any, site: Site, notify: ServiceProcess, axe_js: str
) -> None:
    w = word()
    beca = enriched(f"Beca {w} accesible", deadline=days(30))
    await site.publish(beca)
    urls = [
        f"{site.url}/?q={w}",
        f"{site.url}/convocatorias/{beca.call_id}",
        f"{notify.url}/suscripcion",
        f"{notify.url}/suscripcion/privacidad",
        f"{notify.url}/suscripcion/baja?t=tampered",
    ]
    violations = [v for url in urls for v in await audit(page, axe_js, url)]
    assert violations == []
