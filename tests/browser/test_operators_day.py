"""The operators' day in real headless Chromium: a curator signs in with the credentials `boi run` prints,
picks today's plan (announced on calls.published.v1), approves the weekly bulletin, the bulletin page
shows its 5 calls, the PDF edition renders (first page through Debian's `pdftoppm`), and a social
draft marked as posted reports a `social` impression with its UTM campaign.

`BOI_DOCS_SCREENSHOTS=1` also saves the screenshots of docs/ (plan, bulletin page, Instagram card)."""

import asyncio
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from PIL import Image

from boi_catalog.domain.editorial import iso_week
from boi_devtools.runner import credentials_text, demo_users
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.catalog_site import Site, catalog_site, days, enriched, word
from tests.support.kafka import collect
from tests.support.stack import StackEndpoints

pytestmark = [pytest.mark.browser, pytest.mark.stack]
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = os.environ.get("BOI_DOCS_SCREENSHOTS") == "1"


@pytest.fixture(scope="module")
def day_site(stack: StackEndpoints) -> Iterator[tuple[Site, str]]:
    users_env, shown = demo_users()
    with catalog_site(stack, BOI_CONSOLE_USERS=users_env, BOI_BRAND_HASHTAGS="Bogotá") as running:
        yield running, credentials_text(shown)


@pytest.fixture(scope="module")
async def calls(day_site: tuple[Site, str]) -> list[Any]:
    site, _ = day_site
    w = word()
    types = [
        CallType.BECA,
        CallType.PREMIO,
        CallType.CURSO,
        CallType.SUBVENCION,
        CallType.BECA,
        CallType.ALIANZA,
    ]
    names = [
        "Becas de maestría en Japón para profesionales",
        "Premio <b>internacional</b> de periodismo ambiental",
        "Curso virtual de gobierno de datos",
        "Fondo para proyectos de ciudades sostenibles",
        "Becas de doctorado en Alemania",
        "Alianza de cooperación entre ciudades iberoamericanas",
    ]
    events = [
        enriched(f"{name} ({w})", call_type=t, deadline=days(5 + 3 * i))
        for i, (name, t) in enumerate(zip(names, types, strict=True))
    ]
    events.append(enriched(f"Beca {w} sin Colombia", deadline=days(9), eligible=Eligibility.NO))
    await site.publish(*events)
    return events


def _credentials(printed_text: str, role: str) -> tuple[str, str]:
    found = re.search(rf"{role}\s+usuario: (\S+)\s+contraseña: (\S+)", printed_text)
    assert found, printed_text
    return found.group(1), found.group(2)


async def _sign_in(page: Any, site: Site, printed_text: str) -> None:
    name, password = _credentials(printed_text, "curator")
    await page.goto(f"{site.url}/consola/entrar")
    await page.fill("#usuario", name)
    await page.fill("#clave", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{site.url}/consola/")


async def test_curator_plans_the_day_and_publishes_the_weekly_bulletin(
    page: Any, day_site: tuple[Site, str], calls: list[Any], tmp_path: Path
) -> None:
    site, printed_text = day_site
    await page.set_viewport_size({"width": 1000, "height": 900})
    await _sign_in(page, site, printed_text)

    # The day's plan: candidates closing soonest first; pick 4, the last one first.
    await page.goto(f"{site.url}/consola/plan")
    listed = await page.locator(".plan-list input[type=checkbox]").evaluate_all(
        "els => els.map(e => e.value)"
    )
    mine = [c.call_id for c in calls]
    # closing soonest first: deadlines in 5, 8, 9 (the last event), 11, 14, 17 and 20 days
    assert [i for i in listed if i in mine] == [mine[0], mine[1], mine[6], *mine[2:6]]
    picks = mine[:4]
    for n, call_id in enumerate(reversed(picks), 1):
        await page.check(f"#pick-{call_id}")
        await page.fill(f"#orden-{call_id}", str(n))
    if SCREENSHOTS:
        await page.locator("main").screenshot(path=str(DOCS / "screenshot-console-plan.png"))
    await page.fill("#hora", "00:00")  # today at midnight, Bogotá: due now
    await page.click("#plan button[type=submit]")
    await page.wait_for_selector(".notice")
    assert "anunciado" in await page.inner_text(".notice")
    announced = await collect(
        site.stack.kafka_bootstrap,
        "calls.published.v1",
        lambda v: v.get("call_id") in picks and v.get("announced_at") is not None,
        expected=4,
    )
    assert {a["call_id"] for a in announced} == set(picks)
    assert all(a["change"] == "updated" and a["changed_fields"] == ["announced_at"] for a in announced)
    await page.goto(f"{site.url}/consola/plan")  # announced calls are no longer candidates
    left = await page.locator(".plan-list input[type=checkbox]").evaluate_all("els => els.map(e => e.value)")
    assert not set(picks) & set(left)

    # The weekly bulletin: keep exactly five of ours, in our order, and approve it.
    await page.goto(f"{site.url}/consola/boletin")
    for box in await page.locator("#boletin input[type=checkbox]").all():
        await box.uncheck()
    chosen = mine[1:6]
    for n, call_id in enumerate(chosen, 1):
        await page.check(f"#top-{call_id}")
        await page.fill(f"#orden-top-{call_id}", str(n))
    await page.fill("#titulo", "Las 5 de la semana")
    await page.click("#aprobar")
    await page.wait_for_selector(".notice")
    assert "aprobado" in await page.inner_text(".notice"), await page.inner_text(".notice")

    key = iso_week(datetime.now(ZoneInfo("America/Bogota")).date())
    await page.goto(f"{site.url}/boletin/{key}")
    titles = await page.locator("#boletin article h2").all_inner_texts()
    expected = [c.enrichment.title_es for c in calls[1:6]]
    assert titles == expected
    if SCREENSHOTS:
        await page.screenshot(path=str(DOCS / "screenshot-bulletin.png"), full_page=True)
    await page.goto(f"{site.url}/boletin")
    assert await page.locator(f"a[href='/boletin/{key}']").count() == 1
    rss = httpx.get(f"{site.url}/boletin/rss.xml", timeout=10).text
    assert f"/boletin/{key}" in rss

    # The PDF edition opens: its first page rendered to an image by poppler's pdftoppm.
    pdf = httpx.get(f"{site.url}/boletin/{key}.pdf", timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm missing: sudo apt-get install -y poppler-utils")
    (tmp_path / "b.pdf").write_bytes(pdf.content)
    await asyncio.to_thread(
        subprocess.run,
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", "b.pdf", "page1"],
        cwd=tmp_path,
        check=True,
    )
    first = Image.open(tmp_path / "page1.png")
    assert abs(first.height / first.width - 297 / 210) < 0.02  # an A4 page
    assert len(first.convert("L").getcolors(256) or []) > 10  # something is printed on it

    # The outbox: drafts of the announced calls and the bulletin; mark one as posted.
    await page.goto(f"{site.url}/consola/difusion")
    sections = page.locator("section.draft")
    assert await sections.count() >= 4 * 4 + 4
    x_draft = sections.filter(has_text="X · Las 5 de la semana").first
    await x_draft.locator("input[name=donde]").fill("https://x.com/ejemplo/status/1")
    await x_draft.locator("text=Marcar como publicada").click()
    await page.wait_for_selector(".notice")
    posted = await collect(
        site.stack.kafka_bootstrap,
        "metrics.impressions.v1",
        lambda v: (
            v.get("kind") == "social" and v.get("campaign") == f"boletin-{key}" and v.get("call_id") in chosen
        ),
        expected=5,
    )
    assert {p["channel"] for p in posted} == {"x"}

    card = await page.context.request.get(f"{site.url}/consola/difusion/tarjeta/{picks[0]}.png")
    assert card.status == 200
    (tmp_path / "card.png").write_bytes(await card.body())
    assert Image.open(tmp_path / "card.png").size == (1080, 1080)
    if SCREENSHOTS:
        shutil.copy(tmp_path / "card.png", DOCS / "screenshot-instagram-card.png")


async def test_partner_site_embeds_the_search_with_one_script_tag(
    browser: Any, day_site: tuple[Site, str], calls: list[Any]
) -> None:
    site, _ = day_site
    w = calls[0].enrichment.title_es.rsplit("(", 1)[1].rstrip(")")
    html = (
        "<!doctype html><html lang='es'><body><h1>Aliado</h1>"
        f"<script src='{site.url}/embed.js' data-type='premio' data-q='{w}' async></script></body></html>"
    ).encode()

    class Partner(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

    # A real server on another origin (localhost, not 127.0.0.1): a page Playwright fulfils itself has no
    # address, and Chromium's Private Network Access then blocks its requests to this machine.
    server = ThreadingHTTPServer(("127.0.0.1", 0), Partner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    partner = f"http://localhost:{server.server_address[1]}/convocatorias.html"
    context = await browser.new_context()
    tab = await context.new_page()
    bodies: list[str] = []

    async def keep(response: Any) -> None:
        if response.url.startswith(site.url):
            bodies.append(await response.text())

    tab.on("response", keep)
    tab.on("console", lambda m: print(f"[console.{m.type}] {m.text}"))
    tab.on("requestfailed", lambda r: print(f"[requestfailed] {r.url} {r.failure}"))
    await tab.goto(partner)
    frame = tab.frame_locator("iframe")
    await frame.locator("article").first.wait_for()
    titles = await frame.locator("article h2").all_inner_texts()
    assert titles == [calls[1].enrichment.title_es]  # the only premio with that word
    link = await frame.locator("article h2 a").get_attribute("href")
    # An absolute link to the call's page (BOI_PUBLIC_BASE_URL), opened outside the frame.
    assert link.endswith(f"/convocatorias/{calls[1].call_id}?utm_source=embed&utm_medium=partner")
    assert await frame.locator("article h2 a").get_attribute("target") == "_blank"
    assert await context.cookies() == []  # no cookie, on any site
    assert not any(site.stack.meili_master_key in b for b in bodies)  # no key reaches the page
    await context.close()
    server.shutdown()
