"""From a person's browser to the dashboard, in headless Chromium (with a person's user agent: headless
browsers are otherwise not counted): results shown while typing are not counted, the settled query's
results are, once, when seen (after a scroll); a call view and a click to the official source are counted;
the dashboard shows exactly those figures and its CSV export opens with the same totals."""

import csv
import io
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from boi_catalog.web.auth import Sessions, User
from tests.support.catalog_site import Site, enriched, users_env, word
from tests.support.kafka import eventually
from tests.support.metrics import skip_to_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

SECRET = "test-session-secret-0123456789"  # the catalog_site's


@pytest.fixture
def metrics(stack: StackEndpoints) -> Iterator[list[ServiceProcess]]:
    """Started by the test once its calls are published (see `_start`), stopped here."""
    started: list[ServiceProcess] = []
    yield started
    for svc in started:
        svc.stop()


async def _start(stack: StackEndpoints, started: list[ServiceProcess]) -> ServiceProcess:
    # Publishing polled the partners' API, whose results count as impressions (channel api): the service
    # starts after them, so the figures below are the browser's only.
    await skip_to_end(stack.kafka_bootstrap, "metrics")
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": f"metrics_browser_{uuid.uuid4().hex[:8]}",
        "BOI_SESSION_SECRET": SECRET,
        "BOI_CONSOLE_USERS": users_env(),
    }
    started.append(ServiceProcess("metrics", env).start())
    return started[-1]


def _report(service: ServiceProcess) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{service.url}/api/metrics/report", timeout=10).json()
    return body


async def test_a_search_a_scroll_a_view_and_a_click_reach_the_dashboard_exactly(
    page: Any, site: Site, stack: StackEndpoints, metrics: list[ServiceProcess]
) -> None:
    typed, settled = word(), word()
    passing = [enriched(f"Beca {typed} {i}") for i in range(3)]
    wanted = [enriched(f"Premio {settled} {i}") for i in range(2)]
    await site.publish(*passing, *wanted)
    service = await _start(stack, metrics)
    await page.route("https://example.org/**", lambda route: route.fulfill(body="sitio oficial"))

    await page.goto(f"{site.url}/?q=sinresultadosaqui")
    box = page.locator("#q")
    await box.fill(typed[:5])  # results of a query still being typed: replaced before they count
    await page.wait_for_selector(f"#resultados a:has-text('{typed}')")
    await box.fill(settled)
    await page.wait_for_selector(f"#resultados a:has-text('{settled}')")
    await page.mouse.wheel(0, 2000)  # the scroll: every settled result comes into view
    # Polled from here: the page's CSP forbids the eval that Playwright's wait_for_function needs. Waits
    # for the beacon's periodic flush: a beacon sent on pagehide leaves after Playwright's user-agent
    # override is gone, as HeadlessChrome, which the site rightly does not count.
    sent, queued = "window.boiBeacon ? window.boiBeacon.sent : 0", "window.boiBeacon.queued()"

    async def both_sent() -> bool:
        return int(await page.evaluate(sent)) >= 2

    await eventually(both_sent, timeout=20)
    assert (await page.evaluate(sent), await page.evaluate(queued)) == (2, 0)  # typed results: never

    first = wanted[0]
    await page.click(f"#resultados a:has-text('Premio {settled} 0')")
    await page.wait_for_url(f"**/convocatorias/{first.call_id}")
    await page.click("a.official")
    await page.wait_for_url("https://example.org/**")

    def web_row(r: dict[str, Any]) -> tuple[int, int, int]:
        row = next((x for x in r["breakdowns"]["channel"] if x["key"] == "web"), None)
        return (row["impressions"], row["views"], row["clicks"]) if row else (0, 0, 0)

    def reached() -> dict[str, Any] | None:
        r = _report(service)
        return r if web_row(r) >= (2, 1, 1) else None

    report = await eventually(reached, timeout=180)
    assert web_row(report) == (2, 1, 1)
    kpis = report["kpis"]
    assert (kpis["impressions"], kpis["views"], kpis["clicks"], kpis["visitors"]) == (2, 1, 1, 1)
    funnels = {
        c.call_id: httpx.get(f"{service.url}/api/metrics/calls/{c.call_id}/funnel", timeout=10).json()[
            "channels"
        ]
        for c in (*passing, *wanted)
    }
    web = {cid: next((r for r in rows if r["key"] == "web"), None) for cid, rows in funnels.items()}
    assert all(web[c.call_id] is None for c in passing)  # shown while typing: not counted
    first_web = web[first.call_id]
    assert first_web is not None and (first_web["impressions"], first_web["views"], first_web["clicks"]) == (
        1,
        1,
        1,
    )
    second_web = web[wanted[1].call_id]
    assert second_web is not None and second_web["impressions"] == 1

    cookie = {"boi_console": Sessions(users_env(), SECRET, secure=False).cookie(User("ana", "admin", "c"))}
    dashboard = httpx.get(f"{service.url}/consola/metricas", cookies=cookie, timeout=10)
    assert dashboard.status_code == 200
    assert '<strong id="kpi-impressions">2</strong>' in dashboard.text
    assert '<strong id="kpi-views">1</strong>' in dashboard.text
    assert '<strong id="kpi-clicks">1</strong>' in dashboard.text
    exported = httpx.get(f"{service.url}/consola/metricas/export.zip", cookies=cookie, timeout=10)
    with zipfile.ZipFile(io.BytesIO(exported.content)) as zf:
        series = list(csv.DictReader(io.StringIO(zf.read("series.csv").decode())))
        channels = list(csv.DictReader(io.StringIO(zf.read("breakdown_channel.csv").decode())))
    assert [sum(int(r[k]) for r in series) for k in ("impressions", "views", "clicks")] == [2, 1, 1]
    web_csv = next(r for r in channels if r["key"] == "web")
    assert (int(web_csv["impressions"]), int(web_csv["views"]), int(web_csv["clicks"])) == (2, 1, 1)
