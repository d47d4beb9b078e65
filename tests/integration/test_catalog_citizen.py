"""What citizens decide with, on the real stack (Kafka, FerretDB, Meilisearch, the catalog as a process):
facet filters and counts (ODS, sector, audience, modality) on the API and the site, the call page's
readiness timeline, and "reportar un problema" putting a call back in the review queue (still public)."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from boi_catalog.web.present import date_es
from boi_shared.events import CallEnriched, Evidence
from boi_shared.taxonomy import Audience, Modality
from tests.integration.test_catalog_web import _csrf, _signed_in
from tests.support.catalog_site import CURATOR, Site, catalog_site, days, enriched, word
from tests.support.kafka import eventually
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def site(stack: StackEndpoints) -> Iterator[Site]:
    with catalog_site(stack, BOI_REPORT_RATE_PER_MINUTE="0") as running:
        yield running


def with_enrichment(event: CallEnriched, **fields: Any) -> CallEnriched:
    return event.model_copy(update={"enrichment": event.enrichment.model_copy(update=fields)})


async def test_ods_facet_filters_and_counts(site: Site) -> None:
    w = word()
    a = with_enrichment(
        enriched(f"Beca {w} uno"),
        ods=[4, 13],
        sectors=["educación"],
        audience=[Audience.JOVENES],
        modality=Modality.VIRTUAL,
    )
    b = with_enrichment(enriched(f"Beca {w} dos"), ods=[4], sectors=["salud"], modality=Modality.PRESENCIAL)
    c = with_enrichment(enriched(f"Beca {w} tres"), ods=[13], sectors=["educación"])
    await site.publish(a, b, c)

    everything = site.api("/api/calls", q=w).json()
    assert everything["total"] == 3
    assert everything["facets"]["ods"] == {"4": 2, "13": 2}
    assert everything["facets"]["sectors"] == {"educación": 2, "salud": 1}

    four = site.api("/api/calls", q=w, ods=4).json()
    assert {h["call_id"] for h in four["hits"]} == {a.call_id, b.call_id} and four["total"] == 2
    assert four["facets"]["ods"] == {"4": 2, "13": 1}  # counts within the filtered result
    assert four["facets"]["modality"] == {"virtual": 1, "presencial": 1}
    assert [h["call_id"] for h in site.api("/api/calls", q=w, ods=13, sector="salud").json()["hits"]] == []
    assert [h["call_id"] for h in site.api("/api/calls", q=w, audience="jovenes").json()["hits"]] == [
        a.call_id
    ]
    assert [h["call_id"] for h in site.api("/api/calls", q=w, modality="presencial").json()["hits"]] == [
        b.call_id
    ]
    assert site.api("/api/calls", q=w, ods=18).status_code == 422  # out of 1–17: a clear error
    assert site.api("/api/calls", q=w, audience="nadie").status_code == 422
    hostile = site.api("/api/calls", q=w, sector='x" OR status = "archivada').json()
    assert hostile["total"] == 0  # quoted as a value, never spliced into the filter

    page = httpx.get(f"{site.url}/", params={"q": w, "ods": "4"}, timeout=10)
    assert page.status_code == 200
    assert f"Beca {w} uno" in page.text and f"Beca {w} dos" in page.text and f"Beca {w} tres" not in page.text
    assert "2 convocatorias" in page.text
    facets = page.text[page.text.index('id="facetas"') :]
    assert re.search(r"ODS 13 · Acción por el clima</a> <span class=\"n\">1</span>", facets)
    assert re.search(r'aria-current="true">ODS 4 · Educación de calidad</a> <span class="n">2</span>', facets)
    link = re.search(r'href="(\?[^"]*modality=presencial[^"]*)"', facets)
    assert link and "ods=4" in link[1]  # a facet link keeps the other filters
    ignored = httpx.get(f"{site.url}/", params={"q": w, "ods": "99"}, timeout=10)
    assert ignored.status_code == 200 and "3 convocatorias" in ignored.text  # unknown value dropped


async def test_readiness_timeline_dates_english_test_and_apostille(site: Site) -> None:
    w = word()
    deadline = days(100)
    event = with_enrichment(
        enriched(f"Beca {w} <script>window.pwned=1</script>", deadline=deadline),
        required_documents=["Certificado de idioma", "Hoja de vida (CV)"],
        evidence={
            "deadline": Evidence(sentence=f"Fecha límite: {deadline.isoformat()}.", confidence=0.9),
            "required_documents": Evidence(sentence="Se exige IELTS 6.5 o TOEFL.", confidence=0.6),
        },
    )
    event = event.model_copy(
        update={
            "call": event.call.model_copy(
                update={"text": "Los títulos deben estar apostillados.\nSe exige IELTS 6.5 o TOEFL."}
            )
        }
    )
    late = with_enrichment(enriched(f"Beca {w} tarde", deadline=days(20)), required_documents=["TOEFL"])
    await site.publish(event, late)

    page = httpx.get(f"{site.url}/convocatorias/{event.call_id}", timeout=10).text
    assert "<script>window.pwned" not in page and "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    timeline = page[page.index('id="cuando-empezar"') :]
    english = timeline.index("examen de idioma")
    apostille = timeline.index("Apostillar documentos")
    assert english < apostille  # the longest lead first
    start_english, start_apostille = deadline - timedelta(days=60), deadline - timedelta(days=45)
    assert f'<time datetime="{start_english.isoformat()}">{date_es(start_english)}</time>' in timeline
    assert f'<time datetime="{start_apostille.isoformat()}">{date_es(start_apostille)}</time>' in timeline
    assert "Los títulos deben estar apostillados." in timeline  # why the step appears
    assert "Ya vas tarde" not in timeline
    assert f"Fecha límite: {deadline.isoformat()}." in page  # dónde lo dice
    assert "Certificado de idioma" in page and "Hoja de vida (CV)" in page
    assert "Nunca pagues por postularte" in page

    detail = site.api(f"/api/calls/{event.call_id}").json()  # the same for partners, in the JSON API
    assert [(r["key"], r["start_by"], r["late"]) for r in detail["readiness"]] == [
        ("language_test", start_english.isoformat(), False),
        ("apostille", start_apostille.isoformat(), False),
    ]
    assert detail["required_documents"] == ["Certificado de idioma", "Hoja de vida (CV)"]
    assert detail["evidence"] == {"deadline": f"Fecha límite: {deadline.isoformat()}."}
    late_steps = site.api(f"/api/calls/{late.call_id}").json()["readiness"]
    assert [(r["key"], r["late"]) for r in late_steps] == [("language_test", True)]

    late_page = httpx.get(f"{site.url}/convocatorias/{late.call_id}", timeout=10).text
    start = days(20) - timedelta(days=60)
    assert f'Ya vas tarde: debías empezar el <time datetime="{start.isoformat()}">' in late_page
    assert "Empieza a más tardar" not in late_page  # a past day is never offered as the plan


def _report_form(client: httpx.Client, call_id: str) -> str:
    page = client.get(f"/convocatorias/{call_id}")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token and "boi_reporte" in client.cookies
    return token[1]


def _refused_reports(site: Site, citizen: httpx.Client, call_id: str, token: str) -> None:
    """Hostile or malformed reports: each refused with a clear page, none stored."""
    path = f"/convocatorias/{call_id}/reportar"
    assert citizen.post(path, data={"motivo": "cobro", "nota": "x"}).status_code == 403  # no token
    stranger = httpx.Client(base_url=site.url, timeout=30)  # a token without its cookie (another site)
    assert stranger.post(path, data={"token": token, "motivo": "cobro"}).status_code == 403
    other = enriched("otra").call_id  # a token is valid for its own call only
    assert citizen.post(f"/convocatorias/{other}/reportar", data={"token": token}).status_code == 403
    too_long = citizen.post(path, data={"token": token, "motivo": "otro", "nota": "a" * 1001})
    assert too_long.status_code == 422 and "máximo es 1000" in too_long.text
    form = {"content-type": "application/x-www-form-urlencoded"}
    huge = citizen.post(path, content=b"token=x&nota=" + b"a" * 20_000, headers=form)
    assert huge.status_code == 413
    empty = citizen.post(path, data={"token": token, "motivo": "inventado", "nota": "  "})
    assert empty.status_code == 422 and "elige un motivo" in empty.text


def _report(citizen: httpx.Client, call_id: str, token: str, note: str) -> httpx.Response:
    return citizen.post(
        f"/convocatorias/{call_id}/reportar", data={"token": token, "motivo": "cobro", "nota": note}
    )


def _resolve(curator: httpx.Client, call_id: str) -> int:
    editor = curator.get(f"/consola/convocatorias/{call_id}")
    assert "Marcar reportes como atendidos" in editor.text
    resolved = curator.post(
        f"/consola/convocatorias/{call_id}/reportes-atendidos",
        data={"csrf": _csrf(editor.text), "nota": "Verificado: la fuente no cobra"},
    )
    return resolved.status_code


async def test_a_report_puts_the_call_back_in_review_and_keeps_it_public(site: Site) -> None:
    w = word()
    event = enriched(f"Fondo {w}", deadline=days(40))
    await site.publish(event)
    citizen = httpx.Client(base_url=site.url, timeout=30)
    token = _report_form(citizen, event.call_id)
    _refused_reports(site, citizen, event.call_id, token)
    curator = _signed_in(site, CURATOR)
    assert f"Fondo {w}" not in curator.get("/consola/").text  # refused reports left nothing behind

    done = _report(citizen, event.call_id, token, f"Me pidieron 50 dólares por inscribirme {w} <b>ojo</b>")
    assert done.status_code == 200 and "Reporte recibido" in done.text

    queue = await eventually(lambda: (r := curator.get("/consola/")).status_code == 200 and w in r.text and r)
    assert "reporte_ciudadano" in queue.text and "&lt;b&gt;ojo&lt;/b&gt;" in queue.text
    public = site.api(f"/api/calls/{event.call_id}")
    assert public.status_code == 200 and public.json()["status"] == "publicada"  # a report never unpublishes
    assert site.api("/api/calls", q=w).json()["total"] == 1

    assert _resolve(curator, event.call_id) == 303
    assert f"Fondo {w}" not in curator.get("/consola/").text
    assert site.api(f"/api/calls/{event.call_id}").json()["status"] == "publicada"


def test_reports_are_rate_limited(stack: StackEndpoints) -> None:
    with catalog_site(stack, BOI_REPORT_RATE_PER_MINUTE="1", BOI_REPORT_RATE_BURST="2") as limited:
        citizen = httpx.Client(base_url=limited.url, timeout=30)
        path = f"/convocatorias/{enriched('x').call_id}/reportar"
        codes = [citizen.post(path, data={"token": "t"}).status_code for _ in range(3)]
        assert codes[:2] == [403, 403] and codes[2] == 429  # bad tokens still spend the budget
        assert int(citizen.post(path, data={}).headers["retry-after"]) >= 1


def test_listing_policy_is_linked_from_every_page(site: Site) -> None:
    home = httpx.get(site.url, timeout=10)
    assert 'href="/politica-de-publicacion"' in home.text
    policy = httpx.get(f"{site.url}/politica-de-publicacion", timeout=10)
    assert policy.status_code == 200 and "Qué publicamos y por qué" in policy.text
    assert "cobran por postularse" in policy.text and "Content-Security-Policy" in policy.headers
