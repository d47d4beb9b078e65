"""Hostile XML is refused before feedparser: entity bombs and external entities, in any encoding; a local
file's content never leaks into a report."""

import time
from pathlib import Path

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.feeds import parse_feed


@pytest.mark.parametrize("name", ["xmlbomb.xml", "external.xml"])
def test_defusedxml_attack_files_are_refused(shared_data: Path, name: str) -> None:
    document = (shared_data / "bad" / "defusedxml" / name).read_bytes()
    started = time.monotonic()
    with pytest.raises(FeedError, match="refused: the document declares XML entities"):
        parse_feed(document)
    assert time.monotonic() - started < 1.0


def test_bomb_in_utf16_is_refused(shared_data: Path) -> None:
    text = (shared_data / "bad" / "defusedxml" / "xmlbomb.xml").read_text(encoding="utf-8")
    with pytest.raises(FeedError, match="refused"):
        parse_feed(text.encode("utf-16"))


def _xxe_feed(secret: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
        "<link>https://e.org/x</link><description>&xxe;</description></item></channel></rss>"
    ).encode()


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    marker = "TOP-SECRET-7f3c1d"
    path = tmp_path / "secret.txt"
    path.write_text(marker, encoding="utf-8")
    return path, marker


def test_external_entity_to_a_local_file_is_refused_without_leaking_it(
    secret: tuple[Path, str],
) -> None:
    path, marker = secret
    with pytest.raises(FeedError) as caught:
        parse_feed(_xxe_feed(path))
    assert marker not in str(caught.value)


def test_ill_formed_prolog_does_not_hide_an_entity_declaration(secret: tuple[Path, str]) -> None:
    # Invalid UTF-8 before the DOCTYPE stops a strict parser early; the textual check still refuses.
    path, marker = secret
    document = (
        b"<?xml version='1.0' encoding='utf-8'?><!-- \xff\xfe -->\n" + _xxe_feed(path).split(b"?>", 1)[1]
    )
    with pytest.raises(FeedError, match="refused") as caught:
        parse_feed(document)
    assert marker not in str(caught.value)


def test_a_document_that_looks_like_a_file_name_is_not_opened(secret: tuple[Path, str]) -> None:
    # feedparser opens a str/bytes argument as a path or URL; parse_feed only ever hands it a stream.
    path, marker = secret
    with pytest.raises(FeedError) as caught:
        parse_feed(str(path).encode())
    assert marker not in str(caught.value)


def test_external_dtd_reference_alone_is_accepted() -> None:
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
        b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss version="0.91"><channel>'
        b"<title>t</title><language>en-us</language><item><title>Grant</title>"
        b"<link>https://e.org/g</link><description>d</description></item></channel></rss>"
    )
    [item] = parse_feed(document).items
    assert (item.title, item.language) == ("Grant", "en")


def test_escaped_doctype_inside_content_is_not_mistaken_for_one(shared_data: Path) -> None:
    document = (shared_data / "bad/feedparser/wellformed/sanitize/entry_content_crazy.xml").read_bytes()
    assert b"&lt;!DOCTYPE" in document
    assert parse_feed(document).warning is None
