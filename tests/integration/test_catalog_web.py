"""The catalog's web surfaces on the real stack: the curation console end to end (sign in, review queue
with AI value / evidence / confidence, edit, approve publishes, roles, CSRF, audit, day plan) and the
public API's rate limit."""

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.support.catalog_site import ADMIN, CURATOR, Site, catalog_site, days, enriched, word
from tests.support.kafka import collect, eventually
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def review_site(stack: StackEndpoints) -> Iterator[Site]:
    with catalog_site(stack, BOI_CATALOG_AUTO_PUBLISH="false") as running:
        yield running


def _signed_in(site: Site, who: tuple[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=site.url, timeout=60)
    form = client.get("/consola/entrar")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and csrf
    done = client.post("/consola/entrar", data={"csrf": csrf[1], "usuario": who[0], "clave": who[1]})
    assert done.status_code == 303 and done.headers["location"] == "/consola/"
    cookie = done.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    return client


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found
    return found[1]


async def test_curator_reviews_edits_and_approves_a_call(review_site: Site) -> None:
    w = word()
    event = enriched(f"Beca {w} para investigación", deadline=days(30), needs_review=True)
    await review_site.publish(event, expect_searchable=False)
    curator = _signed_in(review_site, CURATOR)
    queue = await eventually(lambda: (r := curator.get("/consola/")).status_code == 200 and w in r.text and r)
    assert "Cierra pronto." in queue.text and "90%" in queue.text  # evidence sentence and confidence
    assert review_site.api("/api/calls", q=w).json()["total"] == 0  # not public while in review

    editor = curator.get(f"/consola/convocatorias/{event.call_id}")
    assert editor.status_code == 200 and "Aprobar y publicar" in editor.text
    csrf = _csrf(editor.text)
    path = f"/consola/convocatorias/{event.call_id}"
    assert curator.post(f"{path}/editar", data={"title": "x"}).status_code == 403  # no CSRF token
    edited = curator.post(f"{path}/editar", data={"csrf": csrf, "title": f"Beca {w} corregida"})
    assert edited.status_code == 303
    approved = curator.post(f"{path}/aprobar", data={"csrf": csrf})
    assert approved.status_code == 303 and "Hecho" in curator.get(approved.headers["location"]).text
    hits = await eventually(lambda: review_site.api("/api/calls", q=w).json()["hits"])
    assert hits[0]["title"] == f"Beca {w} corregida"

    assert curator.get("/consola/auditoria").status_code == 403  # admins only
    assert curator.post(f"{path}/retirar", data={"csrf": csrf, "motivo": "x"}).status_code == 403
    admin = _signed_in(review_site, ADMIN)
    audit = admin.get("/consola/auditoria")
    assert audit.status_code == 200 and event.call_id in audit.text and "approve" in audit.text
    entries = admin.get("/api/admin/auditoria").json()
    assert any(e.get("call_id") == event.call_id and e.get("action") == "edit" for e in entries)


async def test_curator_rejects_a_call_and_a_second_rejection_says_why_not(review_site: Site) -> None:
    w = word()
    event = enriched(f"Premio {w} dudoso", deadline=days(30), needs_review=True)
    await review_site.publish(event, expect_searchable=False)
    curator = _signed_in(review_site, CURATOR)
    path = f"/consola/convocatorias/{event.call_id}"
    editor = await eventually(lambda: (r := curator.get(path)).status_code == 200 and r)
    csrf = _csrf(editor.text)
    rejected = curator.post(f"{path}/rechazar", data={"csrf": csrf, "motivo": "Duplicada"})
    assert rejected.status_code == 303 and "Hecho" in curator.get(rejected.headers["location"]).text
    again = curator.post(f"{path}/rechazar", data={"csrf": csrf, "motivo": "Duplicada"})
    assert "Solo se rechaza una convocatoria en revisi" in curator.get(again.headers["location"]).text
    assert w not in curator.get("/consola/").text  # out of the review queue
    assert review_site.api("/api/calls", q=w).json()["total"] == 0  # never public
    missing = curator.post("/consola/convocatorias/c-000000000000000000000000/editar", data={"csrf": csrf})
    assert missing.status_code == 404


async def test_admin_withdraws_and_a_plan_with_the_withdrawn_call_is_refused(review_site: Site) -> None:
    w = word()
    events = [enriched(f"Fondo {w} {i}", deadline=days(20 + i), needs_review=True) for i in range(3)]
    await review_site.publish(*events, expect_searchable=False)
    admin = _signed_in(review_site, ADMIN)
    await eventually(
        lambda: all(admin.get(f"/consola/convocatorias/{e.call_id}").status_code == 200 for e in events)
    )
    csrf = _csrf(admin.get("/consola/plan").text)
    # A day no other test plans (the session's tests share the catalog database; a day's plan, once
    # announced, cannot be replaced).
    pick = {"csrf": csrf, "fecha": days(3).isoformat(), "hora": "23:59"}
    unapproved = admin.post("/consola/plan/dia", data={**pick, "call_id": [e.call_id for e in events]})
    assert "aún no está aprobada" in admin.get(unapproved.headers["location"]).text
    for e in events:
        admin.post(f"/consola/convocatorias/{e.call_id}/aprobar", data={"csrf": csrf})
    two = admin.post("/consola/plan/dia", data={**pick, "call_id": [e.call_id for e in events[:2]]})
    assert "entre 3 y 7" in admin.get(two.headers["location"]).text

    target = events[0]
    path = f"/consola/convocatorias/{target.call_id}"
    await eventually(lambda: review_site.api("/api/calls", q=f"{w} 0").json()["total"] >= 1)
    withdrawn = admin.post(f"{path}/retirar", data={"csrf": csrf, "motivo": "Fuente retirada"})
    assert withdrawn.status_code == 303
    await eventually(lambda: review_site.api(f"/api/calls/{target.call_id}").status_code == 404)
    refused = admin.post("/consola/plan/dia", data={**pick, "call_id": [e.call_id for e in events]})
    assert "fue retirada: quítela del plan" in admin.get(refused.headers["location"]).text
    changes = await collect(
        review_site.stack.kafka_bootstrap,
        "calls.published.v1",
        lambda v: v.get("call_id") == target.call_id,
        expected=2,
    )
    assert [c["change"] for c in changes] == ["published", "withdrawn"]


def test_public_api_answers_429_with_retry_after(stack: StackEndpoints) -> None:
    with catalog_site(stack, BOI_API_RATE_PER_MINUTE="60", BOI_API_RATE_BURST="3") as site:
        codes = [site.api("/api/calls", q="beca") for _ in range(6)]
        limited = [r for r in codes if r.status_code == 429]
        assert [r.status_code for r in codes[:3]] == [200, 200, 200] and limited
        assert int(limited[0].headers["retry-after"]) >= 1
        assert "Demasiadas solicitudes" in limited[0].json()["detail"]
        assert site.api("/").status_code == 200  # the pages are not limited
