"""Real headless Chromium (Debian's package, never a downloaded browser) driven by Playwright."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.catalog_site import PERSON_UA, Site, catalog_site
from tests.support.stack import StackEndpoints

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
# Without the background-networking flags Chromium keeps calling Google hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.skip(
            f"{CHROMIUM} not found: run `make setup` as root (installs Debian's chromium) "
            "or `sudo apt-get install -y chromium`"
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture(scope="module")
def site(stack: StackEndpoints) -> Iterator[Site]:
    # As an operator exposing Meilisearch through a public proxy would (here the local server itself):
    # /api/buscador hands browsers only this configured public URL, never BOI_MEILI_URL.
    with catalog_site(stack, BOI_MEILI_PUBLIC_URL=stack.meili_url) as running:
        yield running


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    # A person's browser: the site does not count headless browsers (their user agent says HeadlessChrome).
    context = await browser.new_context(
        locale="es-CO", viewport={"width": 390, "height": 844}, user_agent=PERSON_UA
    )
    tab = await context.new_page()
    # What the page reports shows up in the test's output when it fails.
    tab.on("console", lambda m: print(f"[console.{m.type}] {m.text}"))
    tab.on("pageerror", lambda e: print(f"[pageerror] {e}"))
    tab.on("requestfailed", lambda r: print(f"[requestfailed] {r.method} {r.url} {r.failure}"))
    yield tab
    await context.close()
