"""Another entity replicates BOI by configuration: the catalog started with its name, logo, colours,
contact, data controller and type labels shows them on every page; bad branding stops the service at
start-up with a message naming the setting."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.catalog_site import Site, catalog_site, days, enriched, word
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    b'<circle cx="16" cy="16" r="14" fill="#7a1f5c"/></svg>'
)
OTHER = {
    "BOI_BRAND_NAME": "Medellín Global",
    "BOI_BRAND_TAGLINE": "Oportunidades internacionales del Valle de Aburrá",
    "BOI_BRAND_ENTITY": "Agencia de Cooperación de Medellín",
    "BOI_BRAND_REGION": "Medellín y Antioquia",
    "BOI_BRAND_PRIMARY_COLOR": "#7a1f5c",
    "BOI_BRAND_ACCENT_COLOR": "#1f7a3d",
    "BOI_BRAND_CONTACT_EMAIL": "cooperacion@medellin.example",
    "BOI_BRAND_PRIVACY_CONTROLLER": "Agencia de Cooperación de Medellín, NIT 900.000.000-1",
    "BOI_BRAND_TYPE_LABELS": '{"beca": "Becas y ayudas al estudio"}',
}


@pytest.fixture(scope="module")
def other_site(stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    logo = tmp_path_factory.mktemp("brand") / "logo.svg"
    logo.write_bytes(LOGO)
    with catalog_site(stack, BOI_BRAND_LOGO_PATH=str(logo), **OTHER) as running:
        yield running


async def test_another_entity_on_every_page(other_site: Site) -> None:
    w = word()
    call = enriched(f"Beca {w} de cooperación", deadline=days(30))
    await other_site.publish(call)
    pages = ["/", f"/?q={w}", "/cerradas", f"/convocatorias/{call.call_id}", "/boletin", "/consola/entrar"]
    for path in pages:
        html = other_site.api(path).text
        for value in (
            "Medellín Global",
            "Oportunidades internacionales del Valle de Aburrá",
            "Agencia de Cooperación de Medellín, NIT 900.000.000-1",
            "cooperacion@medellin.example",
        ):
            assert value in html, (path, value)
        assert '<img class="logo" src="/marca/logo"' in html and 'href="/marca.css"' in html, path
        assert "· Medellín Global</title>" in html, path
        assert "Boletín de Oferta Internacional" not in html, path  # nothing of the default brand left
    assert "Becas y ayudas al estudio" in other_site.api(f"/convocatorias/{call.call_id}").text
    css = other_site.api("/marca.css")
    assert (
        css.headers["content-type"].startswith("text/css") and "#7a1f5c" in css.text and "#1f7a3d" in css.text
    )
    logo = other_site.api("/marca/logo")
    assert logo.content == LOGO and logo.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in logo.headers["content-security-policy"]
    assert "Medellín Global" in other_site.api("/boletin/rss.xml").text
    for feed in ("/feeds/rss.xml", "/feeds/atom.xml"):
        text = other_site.api(feed).text
        assert "<title>Medellín Global · " in text and "BOI" not in text, feed
    # PRODID names the software (BOI), the calendar's name the entity
    assert "X-WR-CALNAME:Medellín Global · " in other_site.api("/feeds/cierres.ics").text
    assert "Medellín y Antioquia" in other_site.api("/feeds/rss.xml").text


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("BOI_BRAND_PRIMARY_COLOR", "purple", "#rrggbb"),
        ("BOI_BRAND_LOGO_PATH", "big.png", "the logo may have at most 200,000"),
    ],
)
def test_bad_branding_stops_the_start(tmp_path: Path, variable: str, value: str, message: str) -> None:
    (tmp_path / "big.png").write_bytes(b"\x89PNG" + b"0" * 250_000)
    env = {**os.environ, variable: str(tmp_path / value) if value.endswith(".png") else value}
    started = subprocess.run(
        [sys.executable, "-c", "from boi_catalog.app import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode != 0
    assert variable.removeprefix("BOI_").lower() in started.stderr and message in started.stderr
