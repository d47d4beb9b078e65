"""The public site in real headless Chromium: search as you type, filter by type, a call page, feeds,
a hostile title shown as text, the master key never in the browser, admin routes closed."""

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import feedparser
import httpx
import icalendar
import pytest

from boi_catalog.app import create_app
from boi_catalog.settings import Settings
from boi_shared.events import CallEnriched
from boi_shared.taxonomy import CallType
from tests.support.catalog_site import ADMIN, PERSON_UA, Site, catalog_site, days, enriched, word
from tests.support.kafka import collect

pytestmark = [pytest.mark.browser, pytest.mark.stack]
PWNED = "window.__boiPwned"


@dataclass
class Demo:
    word: str
    beca: CallEnriched
    premio: CallEnriched
    curso: CallEnriched
    hostile: CallEnriched


@pytest.fixture(scope="module")
async def demo(site: Site) -> Demo:
    w = word()
    payload = f'<img src=x onerror="{PWNED}=1"><script>{PWNED}=1;alert(1)</script> Premio {w}'
    d = Demo(
        word=w,
        beca=enriched(f"Beca {w} de maestría en Japón", deadline=days(40)),
        premio=enriched(f"Premio {w} de periodismo", call_type=CallType.PREMIO, deadline=days(10)),
        curso=enriched(f"Curso {w} virtual de datos", call_type=CallType.CURSO, deadline=days(90)),
        hostile=enriched(payload, call_type=CallType.PREMIO, deadline=days(20)),
    )
    # Fillers make a 20-hit page weigh several KB, as a real one does (the keep-alive stall needs > 2 KB).
    filler = word()
    fillers = [
        enriched(f"Beca {filler} número {i} para estudios de posgrado en Europa", deadline=days(30 + i))
        for i in range(24)
    ]
    await site.publish(d.beca, d.premio, d.curso, d.hostile, *fillers)
    return d


async def _results(page: Any) -> list[str]:
    titles: list[str] = await page.locator("#resultados article h2").all_inner_texts()
    return titles


async def test_search_as_you_type_and_filter_by_type(page: Any, site: Site, demo: Demo) -> None:
    await page.goto(f"{site.url}/")
    assert await page.get_attribute("html", "lang") == "es"
    await page.fill("#q", demo.word)
    await page.wait_for_function("() => window.boiSearch && window.boiSearch.searches > 0")
    await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 4")
    cards = page.locator("#resultados article")
    for i in range(4):  # deadline and eligibility on every card
        assert "Cierre:" in await cards.nth(i).locator(".deadline").inner_text()
        assert "Colombia" in await cards.nth(i).locator(".eligibility").inner_text()

    await page.select_option("#type", "premio")
    await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 2")
    assert all("Premio" in t for t in await _results(page))
    assert "type=premio" in page.url  # the address keeps the search, so it can be shared

    # "Cierran pronto" while browsing: open calls by deadline, soonest first (with words, Meilisearch ranks
    # relevance before sort unless the index's rankingRules put "sort" first).
    await page.select_option("#type", "")
    await page.fill("#q", "")
    await page.select_option("#sort", "cierra_pronto")
    await page.wait_for_function(
        "() => { const h = [...document.querySelectorAll('#resultados article h2')];"
        " return h.length === 20 && h[0].innerText.startsWith('Premio'); }"
    )
    titles = await _results(page)
    assert titles[:2] == [demo.premio.enrichment.title_es, demo.hostile.enrichment.title_es]
    assert demo.curso.enrichment.title_es not in titles  # 90 days away: after the 24 fillers


async def test_server_rendered_search_works_without_javascript(browser: Any, site: Site, demo: Demo) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{site.url}/?q={demo.word}&type=curso")
    assert await _results(page) == [demo.curso.enrichment.title_es]
    await page.select_option("#type", "beca")
    await page.click("button[type=submit]")
    await page.wait_for_url("**type=beca**")
    assert await _results(page) == [demo.beca.enrichment.title_es]
    await context.close()


async def test_call_page_has_json_ld_share_links_and_counted_source_link(
    page: Any, site: Site, demo: Demo
) -> None:
    await page.goto(f"{site.url}/?q={demo.word}&type=beca")
    await page.click(f"text={demo.beca.enrichment.title_es}")
    await page.wait_for_url(f"**/convocatorias/{demo.beca.call_id}")
    assert await page.inner_text("h1") == demo.beca.enrichment.title_es
    ld = json.loads(await page.inner_text("script[type='application/ld+json']"))
    assert ld["@type"] == "Grant" and ld["name"] == demo.beca.enrichment.title_es
    assert ld["expires"] == demo.beca.enrichment.deadline.isoformat()
    share = await page.locator(".share a").evaluate_all("links => links.map(a => a.href)")
    assert [h.split("/")[2] for h in share[:3]] == ["wa.me", "www.linkedin.com", "x.com"]
    assert share[3].startswith("mailto:")
    official = await page.get_attribute("a.official", "href")
    assert official == f"/ir/{demo.beca.call_id}"

    went = httpx.get(f"{site.url}{official}", headers={"User-Agent": PERSON_UA}, timeout=10)
    assert went.status_code == 302 and went.headers["location"] == demo.beca.call.url
    clicks = await collect(
        site.stack.kafka_bootstrap,
        "metrics.impressions.v1",
        lambda v: v.get("call_id") == demo.beca.call_id and v.get("kind") == "source_click",
    )
    assert clicks[0]["channel"] == "web"
    views = await collect(
        site.stack.kafka_bootstrap,
        "metrics.impressions.v1",
        lambda v: v.get("call_id") == demo.beca.call_id and v.get("kind") == "call_view",
    )
    assert views


async def test_rss_atom_and_ical_feeds_parse_and_filter(site: Site, demo: Demo) -> None:
    rss = feedparser.parse(site.api("/feeds/rss.xml", q=demo.word, type="premio").content)
    assert not rss.bozo and rss.version == "rss20"
    assert sorted(e.title for e in rss.entries) == sorted(
        [demo.premio.enrichment.title_es, demo.hostile.enrichment.title_es]
    )
    atom = feedparser.parse(site.api("/feeds/atom.xml", q=demo.word).content)
    assert not atom.bozo and atom.version == "atom10" and len(atom.entries) == 4
    response = site.api("/feeds/cierres.ics", q=demo.word)
    assert response.headers["content-type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"{c.call_id}@boi" for c in (demo.beca, demo.premio, demo.curso, demo.hostile)}
    beca = events[f"{demo.beca.call_id}@boi"]
    assert beca.decoded("dtstart") == demo.beca.enrichment.deadline
    assert str(beca["summary"]) == f"Cierre: {demo.beca.enrichment.title_es}"


async def test_script_title_is_shown_as_text_and_never_runs(page: Any, site: Site, demo: Demo) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    title = demo.hostile.enrichment.title_es
    await page.goto(f"{site.url}/?q={demo.word}&type=premio")  # server-rendered
    assert title in await _results(page)
    await page.fill("#q", f"{demo.word} periodismo")  # then rendered by the script
    await page.fill("#q", demo.word)
    await page.wait_for_function("() => window.boiSearch.searches > 0")
    await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 2")
    assert title in await _results(page)
    await page.goto(f"{site.url}/convocatorias/{demo.hostile.call_id}")
    assert await page.inner_text("h1") == title
    ld = json.loads(await page.inner_text("script[type='application/ld+json']"))
    assert ld["name"] == title
    await page.wait_for_timeout(300)
    assert dialogs == []
    assert await page.evaluate(f"typeof {PWNED}") == "undefined"


async def test_no_page_script_or_response_contains_the_master_key(
    browser: Any, site: Site, demo: Demo
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    bodies: dict[str, bytes] = {}

    async def keep(response: Any) -> None:
        try:
            bodies[response.url] = await response.body()
        except Exception:  # redirects have no body
            bodies.setdefault(response.url, b"")

    page.on("response", keep)
    await page.goto(f"{site.url}/")
    await page.fill("#q", demo.word)
    await page.wait_for_function("() => window.boiSearch.searches > 0")
    for path in (f"/convocatorias/{demo.beca.call_id}", "/cerradas", "/consola/entrar", "/consola/"):
        await page.goto(f"{site.url}{path}")
    await page.goto(f"{site.url}/")
    for path in (  # downloads and JSON: fetched by the page, so they pass through the browser too
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/cierres.ics",
        "/api/calls",
        f"/api/calls/{demo.beca.call_id}",
        "/api/buscador",
        "/api/web/calls?q=beca",
        "/openapi.json",
        "/static/search.js",
        "/static/site.css",
    ):
        await page.evaluate("p => fetch(p).then(r => r.text())", path)
    await page.wait_for_timeout(300)
    key = site.stack.meili_master_key.encode()
    assert len(bodies) >= 12
    leaked = [u for u, b in bodies.items() if key in b or key in u.encode()]
    assert leaked == []
    await context.close()

    token = site.api("/api/buscador").json()["token"]
    assert token != site.stack.meili_master_key
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=site.stack.meili_url, headers=auth) as meili:
        assert (await meili.get("/keys")).status_code in (401, 403)  # search only
        found = await meili.post(
            f"/indexes/{site.index}/search", json={"q": demo.word, "filter": "status = en_revision"}
        )
    assert found.status_code == 200 and found.json()["hits"] == []  # restricted to published calls


def _admin_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the app under /consola and /api/admin, but the sign-in form itself."""
    app = create_app(Settings(kafka_bootstrap_servers="127.0.0.1:1"))

    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:  # included routers are nested in FastAPI ≥ 0.16x
            yield from walk(route.original_router.routes) if hasattr(route, "original_router") else [route]

    found = []
    for route in walk(app.routes):
        path = getattr(route, "path", "")
        if not path.startswith(("/consola", "/api/admin")):
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if (method, path) != ("GET", "/consola/entrar"):
                found.append((method, path.replace("{call_id}", "c-" + "0" * 24)))
    return found


async def test_every_admin_route_answers_401_or_403_without_credentials(browser: Any, site: Site) -> None:
    routes = _admin_routes()
    assert len(routes) >= 12
    context = await browser.new_context()
    for method, path in routes:
        response = await context.request.fetch(f"{site.url}{path}", method=method, max_redirects=0)
        assert response.status in (401, 403), (method, path, response.status)
    await context.close()


async def test_direct_meilisearch_vs_server_api_timing(page: Any, site: Site, demo: Demo) -> None:
    """Measured, not asserted tight: the browser's keep-alive fetches to Meilisearch against /api/calls."""
    page = await page.context.browser.new_page(bypass_csp=True)  # the site's CSP forbids this on purpose
    await page.goto(f"{site.url}/")
    timings = await page.evaluate(
        """async (word) => {
          const c = await (await fetch('/api/buscador')).json();
          const run = async (f) => { const t = []; for (let i = 0; i < 30; i++) {
            const s = performance.now(); await (await f()).json(); t.push(performance.now() - s);
          } return t; };
          const body = JSON.stringify({q: word, limit: 20, facets: c.facets});
          const direct = await run(() => fetch(c.url + '/indexes/' + c.index + '/search', {method: 'POST',
            headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + c.token}, body}));
          const proxy = await run(() => fetch('/api/calls?limit=20&q=' + word));
          return {direct, proxy};
        }""",
        "posgrado",
    )
    direct, proxy = statistics.median(timings["direct"]), statistics.median(timings["proxy"])
    print(f"\nbrowser search p50: direct Meilisearch {direct:.1f} ms, server API {proxy:.1f} ms")
    assert direct < 1000 and proxy < 1000


async def test_site_basics_on_a_phone(page: Any, site: Site, demo: Demo) -> None:
    await page.goto(f"{site.url}/?q={demo.word}")
    await page.keyboard.press("Tab")
    focused = await page.evaluate("() => document.activeElement.className")
    assert focused == "skip", focused  # first stop: the skip link
    unlabelled = await page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(el => !document.querySelector(`label[for="${el.id}"]`)).map(el => el.name)"""
    )
    assert unlabelled == []
    widths = await page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


async def test_console_sign_in_in_the_browser(page: Any, site: Site) -> None:
    await page.goto(f"{site.url}/consola/")
    assert "Necesitas iniciar sesión" in await page.inner_text("main")
    await page.click("a.button")
    await page.fill("#usuario", ADMIN[0])
    await page.fill("#clave", "wrong password")
    await page.click("button[type=submit]")
    assert "incorrectos" in await page.inner_text("main")
    await page.fill("#usuario", ADMIN[0])
    await page.fill("#clave", ADMIN[1])
    await page.click("main button[type=submit]")
    await page.wait_for_url("**/consola/")
    assert await page.inner_text("h1") == "Cola de revisión"
    await page.click("text=Auditoría")
    assert await page.inner_text("h1") == "Registro de auditoría"
    cookie = next(c for c in await page.context.cookies() if c["name"] == "boi_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


async def test_direct_mode_searches_meilisearch_with_a_tenant_token(
    browser: Any, site: Site, demo: Demo
) -> None:
    """BOI_BROWSER_SEARCH_DIRECT=true: the script talks to Meilisearch itself, with the tenant token only."""
    public = {"BOI_MEILI_PUBLIC_URL": site.stack.meili_url}
    with catalog_site(
        site.stack, BOI_BROWSER_SEARCH_DIRECT="true", BOI_MEILI_INDEX=site.index, **public
    ) as direct:
        context = await browser.new_context()
        page = await context.new_page()
        seen: dict[str, bytes] = {}

        async def keep(response: Any) -> None:
            try:
                seen[response.url] = await response.body()
            except Exception:
                seen.setdefault(response.url, b"")

        page.on("response", keep)
        await page.goto(f"{direct.url}/")
        await page.fill("#q", demo.word)
        await page.select_option("#type", "curso")
        await page.wait_for_function("() => document.querySelectorAll('#resultados article').length === 1")
        assert await _results(page) == [demo.curso.enrichment.title_es]
        await page.wait_for_timeout(300)
        await context.close()
    assert [u for u in seen if u.startswith(site.stack.meili_url)], "searched Meilisearch directly"
    assert not [u for u, b in seen.items() if site.stack.meili_master_key.encode() in b]
