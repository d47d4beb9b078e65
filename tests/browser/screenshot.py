"""Write docs/screenshot-site.png: the public site with the demo calls, in headless Chromium.

`uv run python -m tests.browser.screenshot` starts a session stack and the catalog, turns the items of the
constructed demo feed (deploy/local/src/boi_devtools/demo/convocatorias-demo.xml) into `calls.enriched.v1`
events with a small keyword classifier (standing in for the enrich service), and photographs the site.
"""

import asyncio
import re
from datetime import date
from pathlib import Path

import feedparser

from boi_devtools.demo import demo_feed
from boi_shared.events import CallEnriched
from boi_shared.taxonomy import CallType, Eligibility
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.support.catalog_site import Site, catalog_site, enriched
from tests.support.stack import session_stack

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-site.png"
MONTHS = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
TYPES = {
    "beca": CallType.BECA,
    "scholarship": CallType.BECA,
    "fondo": CallType.SUBVENCION,
    "premio": CallType.PREMIO,
    "curso": CallType.CURSO,
    "voluntariado": CallType.VOLUNTARIADO,
    "proyectos": CallType.CONVOCATORIA_PROYECTOS,
    "alianza": CallType.ALIANZA,
}


def _deadline(text: str) -> date | None:
    found = re.findall(rf"(\d{{1,2}}) de ({'|'.join(MONTHS)}) de (\d{{4}})", text)
    if not found:
        return None
    day, month, year = found[-1]
    return date(int(year), MONTHS.index(month) + 1, int(day))


def demo_events() -> list[CallEnriched]:
    events = []
    for item in feedparser.parse(demo_feed().read_bytes()).entries:
        text = re.sub(r"<[^>]+>", " ", item.get("description", ""))
        first = item.title.lower().split()[0]
        kind = next(
            (t for k, t in TYPES.items() if k in item.title.lower()), TYPES.get(first, CallType.EVENTO)
        )
        event = enriched(
            item.title,
            call_type=kind,
            deadline=_deadline(text),
            eligible=Eligibility.SI if "Colombia" in text else Eligibility.SIN_DATO,
            language="en" if item.title.startswith("Scholarship") else "es",
            url=item.link,
        )
        summary = " ".join(text.split())[:220]
        events.append(
            event.model_copy(
                update={"enrichment": event.enrichment.model_copy(update={"summary_es": summary})}
            )
        )
    return events


async def shoot(site: Site) -> None:
    from playwright.async_api import async_playwright

    await site.publish(*demo_events())
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1100, "height": 1400}, locale="es-CO")
        await page.goto(f"{site.url}/?sort=cierra_pronto")
        await page.screenshot(path=str(OUT), full_page=False)
        await browser.close()


def main() -> None:
    # The stack starts outside the event loop (it creates topics with its own asyncio.run).
    with session_stack() as stack, catalog_site(stack) as site:
        asyncio.run(shoot(site))
    print(OUT)


if __name__ == "__main__":
    main()
