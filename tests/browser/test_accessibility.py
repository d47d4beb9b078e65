"""Issue 14, section 3: axe-core (npm package pinned in deploy/local, installed into the cache by
`make setup`, never from a CDN) injected by Playwright into every public and console page at phone size
(390x844): 0 violations of WCAG 2.0/2.1 A and AA. Injected through the DevTools protocol (`evaluate`),
so the pages keep their strict Content-Security-Policy."""

from pathlib import Path
from typing import Any

import pytest

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.install import axe_script
from tests.support.catalog_site import ADMIN, Site, days, enriched, word

pytestmark = [pytest.mark.browser, pytest.mark.stack]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def axe() -> str:
    script: Path = axe_script(StackConfig())
    if not script.exists():
        pytest.skip(f"{script} missing: run `make setup` (boi stack install installs axe-core from npm)")
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
async def call_ids(site: Site) -> dict[str, str]:
    w = word()
    beca = enriched(f"Beca {w} de accesibilidad", deadline=days(30))
    review = enriched(f"Curso {w} por revisar", deadline=days(60), needs_review=True)
    await site.publish(beca)
    await site.publish(review, expect_searchable=False)
    return {"public": beca.call_id, "review": review.call_id, "word": w}


async def audit(page: Any, axe: str, url: str) -> list[str]:
    response = await page.goto(url)
    assert response is not None and response.status < 500, url
    await page.evaluate(axe)
    result = await page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    assert result["passes"], f"axe checked nothing on {url}"
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']} → {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


async def test_every_public_and_console_page_has_no_wcag_violation_on_a_phone(
    page: Any, site: Site, axe: str, call_ids: dict[str, str]
) -> None:
    assert page.viewport_size == {"width": 390, "height": 844}
    public = [
        "/",
        f"/?q={call_ids['word']}",
        "/?q=zzzznadaqx&type=premio",
        "/cerradas",
        f"/convocatorias/{call_ids['public']}",
        "/convocatorias/c-000000000000000000000000",
        "/consola/entrar",
        "/consola/",  # signed out: the sign-in prompt
    ]
    violations: list[str] = []
    for path in public:
        violations += await audit(page, axe, f"{site.url}{path}")
    await page.goto(f"{site.url}/consola/entrar")
    await page.fill("#usuario", ADMIN[0])
    await page.fill("#clave", ADMIN[1])
    await page.click("main button[type=submit]")
    await page.wait_for_url("**/consola/")
    console = [
        "/consola/",
        f"/consola/convocatorias/{call_ids['review']}",
        f"/consola/convocatorias/{call_ids['public']}",
        "/consola/plan",
        "/consola/auditoria",
        "/consola/convocatorias/c-000000000000000000000000",
    ]
    for path in console:
        violations += await audit(page, axe, f"{site.url}{path}")
    assert violations == [], "\n".join(violations)


async def test_docs_render_from_local_files_without_csp_violations(page: Any, site: Site) -> None:
    """/docs is Swagger UI served by the service itself: it renders every operation under the strict
    policy, and the browser fetches nothing from another host."""
    messages: list[str] = []
    hosts: set[str] = set()
    page.on("console", lambda m: messages.append(m.text))
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    await page.goto(f"{site.url}/docs")
    await page.wait_for_selector(".opblock", timeout=30_000)
    assert await page.locator(".opblock").count() >= 4
    assert not [m for m in messages if "Content Security Policy" in m], messages
    assert hosts == {site.url.split("/")[2]}, hosts
