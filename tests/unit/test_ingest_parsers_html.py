"""HTML listing and detail pages with CSS selectors: a constructed listing page, detail pages, selector
errors, and hostile markup (scripts in titles)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document
from boi_ingest.domain.parsers import MappingError, parse_document
from boi_ingest.domain.parsers.html import parse_html

LISTING = (
    Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "convocatorias_listado_constructed.html"
)
MAPPING = {
    "item": "article.call",
    "title": "h2",
    "text": ".summary",
    "published_at": "time@datetime",
    "funder": ".funder",
}
PAGE_URL = "https://convocatorias.example.org/listado"


def test_listing_page() -> None:
    parsed = parse_html(LISTING.read_bytes(), MAPPING, base_url=PAGE_URL)
    beca, premio, voluntariado = parsed.items
    assert parsed.skipped == ["entry 4: no link (title 'Anuncio sin enlace')"]
    assert parsed.feed_type == "html"
    # relative link resolved against the page, tracking parameter dropped from the canonical URL
    assert beca.url == "https://convocatorias.example.org/convocatorias/beca-maestria-japon"
    assert beca.item_url.endswith("beca-maestria-japon?utm_source=boletin")
    assert beca.language == "es"  # <html lang="es">
    assert beca.published_at == datetime(2026, 11, 2, tzinfo=UTC)
    assert beca.text == (
        "Becas completas para profesionales de América Latina. Fecha límite: 15 de febrero de 2027. "
        "Funder: Agencia de Cooperación Internacional del Japón."
    )
    assert premio.title == "Premio a la innovación social & urbana"  # script dropped, entity decoded
    assert premio.text == "Reconoce iniciativas ciudadanas en ciudades de Iberoamérica."
    assert premio.published_at == datetime(2026, 10, 20, 14, 30, tzinfo=UTC)
    assert voluntariado.published_at is None


def test_base_url_of_the_mapping_serves_local_files() -> None:
    parsed = parse_document(Document(LISTING.read_bytes()), "html", {**MAPPING, "base_url": PAGE_URL})
    assert parsed.items[0].url.startswith("https://convocatorias.example.org/")
    without = parse_html(LISTING.read_bytes(), MAPPING)  # relative links cannot be resolved
    assert [i.url for i in without.items] == ["https://fondo.example.org/premio-innovacion-social"]
    assert any("unusable link" in s for s in without.skipped)


def test_detail_page_is_one_entry_at_its_canonical_url() -> None:
    page = b"""<html lang="en"><head><link rel="canonical" href="https://e.org/calls/42">
    <title>x</title></head><body><h1>Fellowship <script>evil()</script>for journalists</h1>
    <div class="body"><p>Apply by <b>March 1, 2027</b>.</p><script>steal()</script></div></body></html>"""
    [item] = parse_html(page, {"title": "h1", "text": ".body"}).items
    assert (item.url, item.title, item.text, item.language) == (
        "https://e.org/calls/42",
        "Fellowship for journalists",
        "Apply by March 1, 2027.",
        "en",
    )
    [at_page] = parse_html(b"<h1>T</h1>", {"title": "h1"}, base_url="https://e.org/p?utm_medium=x").items
    assert at_page.url == "https://e.org/p"


def test_selector_errors_name_the_field() -> None:
    with pytest.raises(MappingError, match=r"mapping field 'item': no element matches 'li\.convocatoria'"):
        parse_html(LISTING.read_bytes(), {**MAPPING, "item": "li.convocatoria"})
    with pytest.raises(MappingError, match="invalid HTML mapping: title: Value error, not a CSS selector"):
        parse_html(b"<p>", {"item": "p", "title": "h2["})
    with pytest.raises(MappingError, match="needs a mapping of CSS selectors"):
        parse_html(b"<p>", None)
    with pytest.raises(FeedError, match="no usable HTML entry out of 4: entry 1: no title"):
        parse_html(LISTING.read_bytes(), {**MAPPING, "title": ".nothing"}, base_url=PAGE_URL)


def test_not_html_at_all_is_an_error_not_a_crash() -> None:
    with pytest.raises(FeedError):
        parse_html(b"\x00\xff\xfe binary \x89PNG", {"item": "article", "title": "h2"})
