"""The call page a citizen decides on, in real headless Chromium at phone size (390x844): deadline,
"dónde lo dice", required documents, the readiness timeline, the never-pay notice and the report form;
and the search page's facet filters, live (search.js) and as plain links."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from boi_catalog.web.present import date_es
from boi_shared.events import CallEnriched, Evidence
from tests.support.catalog_site import Site, days, enriched, word

pytestmark = [pytest.mark.browser, pytest.mark.stack]
PWNED = "window.__boiPwnedCall"


@dataclass
class Calls:
    word: str
    ready: CallEnriched
    other: CallEnriched


def _with(event: CallEnriched, text: str | None = None, **fields: Any) -> CallEnriched:
    update: dict[str, Any] = {"enrichment": event.enrichment.model_copy(update=fields)}
    if text is not None:
        update["call"] = event.call.model_copy(update={"text": text})
    return event.model_copy(update=update)


@pytest.fixture(scope="module")
async def calls(site: Site) -> Calls:
    w = word()
    deadline = days(100)
    ready = _with(
        enriched(f'Beca {w} <img src=x onerror="{PWNED}=1"> en Londres', deadline=deadline),
        text="Requisitos: IELTS 6.5. Los diplomas deben venir apostillados.",
        ods=[4],
        required_documents=["Certificado de idioma", "Pasaporte"],
        evidence={
            "deadline": Evidence(
                sentence=f"Deadline: {deadline.isoformat()} <script>{PWNED}=1</script>", confidence=0.9
            ),
            "colombia_eligible": Evidence(sentence="Open to applicants from Latin America.", confidence=0.8),
        },
    )
    other = _with(enriched(f"Curso {w} de datos", deadline=days(30)), ods=[9])
    await site.publish(ready, other)
    return Calls(w, ready, other)


async def test_call_page_on_a_phone_shows_deadline_evidence_documents_and_timeline(
    page: Any, site: Site, calls: Calls
) -> None:
    await page.goto(f"{site.url}/convocatorias/{calls.ready.call_id}")
    deadline = days(100)
    assert await page.locator(".meta .deadline").inner_text() == f"Cierre: {date_es(deadline)}"
    evidence = page.locator(".evidence-box")
    await evidence.get_by_text(f"Deadline: {deadline.isoformat()}", exact=False).wait_for()
    assert "Open to applicants from Latin America." in await evidence.inner_text()
    assert await page.locator(".documents li").all_inner_texts() == ["Certificado de idioma", "Pasaporte"]

    steps = page.locator(".timeline .step")
    texts = await steps.all_inner_texts()
    assert len(texts) == 3, texts  # language test (60 d), passport and apostille (45 d)
    assert "examen de idioma" in texts[0] and date_es(deadline - timedelta(days=60)) in texts[0]
    assert any("Apostillar" in t and date_es(deadline - timedelta(days=45)) in t for t in texts)
    assert all("Empieza a más tardar" in t for t in texts)
    assert await page.locator(".timeline .late").count() == 0

    assert await page.get_by_role("heading", name="Nunca pagues por postularte").is_visible()
    assert await page.evaluate(f"() => {PWNED}") is None  # the title and evidence were shown as text
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths  # no sideways scroll on the phone
    unlabelled = await page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(el => !document.querySelector(`label[for="${el.id}"]`)).map(el => el.name)"""
    )
    assert unlabelled == []

    await page.get_by_text("Reportar un problema con esta convocatoria").click()
    await page.get_by_label("Qué problema viste").select_option("fecha")
    await page.get_by_label("Nota para el equipo curador", exact=False).fill("La fuente dice otra fecha.")
    await page.get_by_role("button", name="Enviar reporte").click()
    await page.get_by_role("heading", name="Reporte recibido").wait_for()


async def test_facet_filters_live_and_without_script(page: Any, site: Site, calls: Calls) -> None:
    await page.goto(f"{site.url}/?q={calls.word}")
    titles = page.locator("#resultados article h2")
    await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 2")
    await page.get_by_label("ODS", exact=True).select_option("9")
    await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 1")
    assert (await titles.all_inner_texts()) == [f"Curso {calls.word} de datos"]
    assert "ods=9" in page.url  # the live search keeps the filter in the address bar
    facet = page.locator('#facetas details[open] a[aria-current="true"]')  # drawn by search.js
    assert await facet.inner_text() == "ODS 9 · Industria, innovación e infraestructura"

    await page.goto(f"{site.url}/?q={calls.word}")
    await page.locator("#facetas summary", has_text="Objetivo de Desarrollo Sostenible").click()
    await page.get_by_role("link", name="ODS 4 · Educación de calidad").click()
    await page.wait_for_url("**ods=4**")
    assert (await titles.count()) == 1 and "Beca" in (await titles.all_inner_texts())[0]
