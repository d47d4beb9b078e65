"""Entity expansion never reaches a parser that expands (issue 14): a DOCTYPE without an internal subset
followed by `<!ENTITY …>` declarations, entity declarations hidden by UTF-16/32 without a byte order mark,
and declarations after the root element. Each document is small; expanded, it would be megabytes."""

import codecs

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.feeds import parse_feed

VALUE = "A" * 2000
REFS = "&a;" * 1000  # expanded: 2 MB of text from a 5 KB document
ITEM = "<item><title>Beca</title><link>https://e.org/x</link><description>{body}</description></item>"


def _feed(prolog: str, body: str = REFS) -> str:
    return f'{prolog}<rss version="2.0"><channel><title>t</title>{ITEM.format(body=body)}</channel></rss>\n'


NO_SUBSET = _feed(f'<?xml version="1.0"?>\n<!DOCTYPE rss>\n<!ENTITY a "{VALUE}">\n')
WITH_SUBSET = _feed(f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{VALUE}">\n]>\n')


def _assert_not_expanded(document: bytes) -> None:
    """Refused with a clear reason, or read without expanding a single entity."""
    try:
        parsed = parse_feed(document)
    except FeedError as exc:
        refused: FeedError | None = exc
    else:
        refused = None
    if refused is not None:
        assert "refused" in str(refused) or "not a readable feed" in str(refused), refused
        return
    assert all(VALUE not in item.text and len(item.text) < 10_000 for item in parsed.items)


def test_doctype_without_internal_subset_then_entity_declarations_is_refused() -> None:
    # defusedxml gives up on this ill-formed prolog; feedparser used to move the declaration into a DOCTYPE
    # of its own and expand it (a 16 KB feed of this shape took 231 MB).
    with pytest.raises(FeedError, match="refused"):
        parse_feed(NO_SUBSET.encode())


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("document", [NO_SUBSET, WITH_SUBSET, "\n  " + WITH_SUBSET.split("\n", 1)[1]])
def test_entity_declarations_in_utf16_or_utf32_without_bom_are_refused(encoding: str, document: str) -> None:
    with pytest.raises(FeedError, match="refused"):
        parse_feed(document.encode(encoding))


def test_entity_declarations_in_a_declared_utf7_are_refused() -> None:
    # The declaration in ASCII, the rest in UTF-7: `<!ENTITY` is `+ADw-!ENTITY` to a byte search.
    declaration, rest = WITH_SUBSET.split("\n", 1)
    utf7 = rest.encode("utf-7").replace(b"<", b"+ADw-")  # Python's encoder leaves `<` direct
    encoded = declaration.replace("?>", ' encoding="utf-7"?>\n').encode() + utf7
    assert b"<!ENTITY" not in encoded
    with pytest.raises(FeedError, match="refused"):
        parse_feed(encoded)


def test_entity_declarations_in_ebcdic_are_refused() -> None:
    encoded = WITH_SUBSET.replace('"1.0"?>', '"1.0" encoding="cp037"?>').encode("cp037")
    assert b"<!ENTITY" not in encoded
    with pytest.raises(FeedError, match="refused"):
        parse_feed(encoded)


def test_a_doctype_inside_the_root_element_expands_nothing() -> None:
    document = _feed("", body=f"<![CDATA[x]]>{REFS}").replace(
        "<channel>", f'<channel><!DOCTYPE rss [<!ENTITY a "{VALUE}">]>'
    )
    _assert_not_expanded(document.encode())


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_plain_feed_in_utf16_or_utf32_without_bom_is_read(encoding: str) -> None:
    document = _feed("\n", body="Becas para estudiantes de Bogotá").encode(encoding)
    assert not document.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    [item] = parse_feed(document).items
    assert item.title == "Beca" and item.text == "Becas para estudiantes de Bogotá"
