"""Feed parsing of ingest on real feeds, a constructed Spanish feed and ill-formed feeds: each one yields
items or a clear FeedError, never a crash."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.feeds import MAX_ENTRIES, parse_feed
from boi_ingest.domain.model import ParsedFeed
from boi_shared.ids import call_id_for, content_hash

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
MAURITIUS = "feeds/mauritius_govmu_scholarships_atom_2024-04-25.xml"
ATOM = "{http://www.w3.org/2005/Atom}"


def test_real_atom_feed_yields_every_entry(shared_data: Path) -> None:
    document = (shared_data / MAURITIUS).read_bytes()
    links = [e.find(f"{ATOM}link").get("href") for e in ET.fromstring(document).iter(f"{ATOM}entry")]
    feed = parse_feed(document)
    assert feed.feed_type == "atom"
    assert feed.warning is None and feed.skipped == []
    assert [i.call_id for i in feed.items] == [call_id_for(link) for link in links]
    assert len(feed.items) == 20
    for item in feed.items:
        assert item.title and item.text and "  " not in item.text
        assert item.language == "en"
        assert item.published_at is not None and item.published_at.tzinfo is UTC
        assert item.content_hash == content_hash(item.title, item.text)
    assert feed.items[0].published_at == datetime(2024, 4, 25, 12, 26, 46, tzinfo=UTC)


def test_constructed_spanish_feed_is_normalized() -> None:
    feed = parse_feed((FIXTURES / "convocatorias_es_constructed.xml").read_bytes())
    assert feed.feed_type == "rss"
    by_url = {i.url: i for i in feed.items}
    assert list(by_url) == [
        "https://convocatorias.example.org/becas/japon-2026?id=17",
        "https://convocatorias.example.org/premios/periodismo-civico",
        "https://convocatorias.example.org/cursos/cooperacion",
        "http://voluntarios.example.org/llamado",
    ]
    beca = by_url["https://convocatorias.example.org/becas/japon-2026?id=17"]
    assert beca.item_url.startswith("HTTPS://Convocatorias.Example.ORG:443/becas/japon-2026?utm_source")
    assert beca.text == (
        "La embajada abre la convocatoria de becas de maestría. Cubre matrícula y manutención."
    )
    assert beca.published_at == datetime(2025, 6, 10, 19, 0, tzinfo=UTC)
    assert beca.language == "es"
    premio = by_url["https://convocatorias.example.org/premios/periodismo-civico"]
    assert premio.title == "Premio de periodismo & innovación cívica"
    assert premio.text == "Premia reportajes sobre ciudades—en español o inglés. Primer lugar Mención"
    curso = by_url["https://convocatorias.example.org/cursos/cooperacion"]
    assert curso.text.startswith("Curso Formación en línea de seis semanas")  # content:encoded wins
    assert [reason.split(":")[0] for reason in feed.skipped] == [
        "entry 5",
        "entry 6",
        "entry 7",
        "entry 8",
        "entry 9",
    ]
    assert "no link" in feed.skipped[0] and "no title" in feed.skipped[1]
    assert "same link" in feed.skipped[4]


def test_html_entities_xml_does_not_define_are_decoded() -> None:
    document = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><language>es</language>'
        b"<item><title>Dise&ntilde;o y m&aacute;s</title><link>https://e.org/d</link>"
        b"<description>Ni&ntilde;os &amp; ni&ntilde;as</description></item></channel></rss>"
    )
    feed = parse_feed(document)
    assert feed.warning is not None  # ill-formed XML, read leniently
    [item] = feed.items
    assert (item.title, item.text, item.language) == ("Diseño y más", "Niños & niñas", "es")


BAD = "bad/feedparser"


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("illformed/aaa_illformed.xml", "error"),
        ("illformed/rss_incomplete_cdata.xml", "lenient"),
        ("encoding/utf-16le-bom.xml", "empty"),
        ("encoding/bozo_linenoise.xml", "lenient"),
        ("entities/ntilde.xml", "error"),
        ("entities/aacute.xml", "error"),
        ("wellformed/sanitize/entry_content_crazy.xml", "skipped"),
    ],
)
def test_feedparser_bad_files_give_items_or_a_clear_error(shared_data: Path, name: str, expect: str) -> None:
    document = (shared_data / BAD / name).read_bytes()
    if expect == "error":
        with pytest.raises(FeedError, match="not a readable feed: SAXParseException"):
            parse_feed(document)
        return
    feed = parse_feed(document)
    assert isinstance(feed, ParsedFeed)
    assert feed.items == []
    if expect == "lenient":
        assert feed.warning and feed.warning.startswith("ill-formed feed read leniently")
        assert feed.skipped == ["entry 1: no link and no title"]
    elif expect == "empty":
        assert (feed.warning, feed.skipped) == (None, [])
    else:
        assert feed.warning is None and feed.skipped == ["entry 1: no link and no title"]


def test_hostile_html_content_becomes_inert_text(shared_data: Path) -> None:
    document = (shared_data / BAD / "wellformed/sanitize/entry_content_crazy.xml").read_bytes()
    with_link = document.replace(
        b"<entry>", b'<entry><title>Crazy</title><link rel="alternate" href="https://e.org/c"/>', 1
    )
    [item] = parse_feed(with_link).items
    assert item.text.startswith("Crazy HTML -- Can Your Regex Parse This?")
    assert "<" not in item.text and ">" not in item.text  # tags gone; what remains is inert text


def test_not_a_feed_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<?xml version='1.0'?><html><body><p>hola</p></body></html>")
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):  # read as UTF-16: no element
        parse_feed(b"\x00\x01 not xml at all")


def test_a_flood_of_entries_is_refused_before_parsing() -> None:
    items = "".join(
        f"<item><title>t{n}</title><link>https://e.org/{n}</link></item>" for n in range(MAX_ENTRIES + 1)
    )
    flood = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()
    )
    with pytest.raises(FeedError, match=r"refused: the document has 20,001 entries, more than 20,000"):
        parse_feed(flood)


def test_a_feed_at_the_entry_limit_is_read() -> None:
    items = "".join(
        f"<item><title>t{n}</title><link>https://e.org/{n}</link></item>" for n in range(MAX_ENTRIES)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'.encode()
    )
    assert len(parse_feed(feed).items) == MAX_ENTRIES
