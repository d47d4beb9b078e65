"""Hand feedparser a document in which no entity can be declared, so no entity can be expanded.

Entity expansion (XML bombs, quadratic blow-up) and external entities (XXE) need declarations, and a
declaration can only live in the prolog: expat reads the DTD's internal subset before the root element and
nowhere else, and feedparser's lenient parser takes entities only from `<!ENTITY …>` lines before the
first element. So, by construction rather than by recognising attacks:
1. the document is decoded first, as feedparser would decode it (byte order mark, UTF-16/32 without one
   told by its zero bytes, the HTTP charset, the XML declaration, then its fallbacks), so an encoding
   cannot hide markup (UTF-16/32, UTF-7, EBCDIC);
2. the prolog is read token by token (XML declaration, processing instructions, comments, a DOCTYPE);
   a DOCTYPE with an internal subset, or any other markup declaration before the root element
   (`<!ENTITY`, `<!ELEMENT`…), refuses the document with a clear reason;
3. feedparser gets a new document: our own XML declaration (UTF-8) and the text from the root element
   on. Whatever the prolog held, it is not there. An external DTD reference alone (`<!DOCTYPE rss PUBLIC
   … rss-0.91.dtd>`, common in old RSS) is accepted, and dropped like the rest of the prolog.
A `<!DOCTYPE` or `<!ENTITY` after the root element is ill-formed to expat and plain text to the lenient
parser: neither defines an entity from it.
"""

import re
from typing import Any

from feedparser.encodings import convert_to_utf8

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.unicode import sniff_unicode

DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_ROOT = re.compile(r"<[^\W\d]", re.UNICODE)
_KEYWORD = re.compile(r"<!([A-Za-z]*)")
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)
_REFUSAL = (
    "refused: the document declares XML entities ({what}); feeds never need them and "
    "they are how XML bombs and external-entity attacks work. Ask the publisher for a plain RSS/Atom feed."
)
_DTD_REFUSAL = (
    "refused: the document carries a DTD ({what}); feeds never need one, and its declarations are how XML "
    "bombs and external-entity attacks work. Ask the publisher for a plain RSS/Atom feed."
)


def decode_feed(document: bytes, headers: dict[str, str]) -> tuple[str, Exception | None]:
    """The document's text as feedparser would read it, and why the decoding was lenient (if it was)."""
    found = sniff_unicode(document)
    if found is not None and found[0] != "utf-8":
        encoding, skip = found
        return document[skip:].decode(encoding, errors="replace"), None
    result: dict[str, Any] = {}
    data = convert_to_utf8(dict(headers), document, result)
    text = data.decode("utf-8", errors="replace")  # bytes left as they were when nothing decoded them
    return text, result.get("bozo_exception") if result.get("bozo") else None


def _declaration_end(text: str, start: int) -> tuple[int, bool]:
    """End of the markup declaration at `start` (after its `>`), and whether it opens an internal subset
    (a `[` outside quoted strings); -1 if it never ends."""
    quote = ""
    for position in range(start + 2, len(text)):
        char = text[position]
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "[":
            return position, True
        elif char == ">":
            return position + 1, False
    return -1, False


def _refuse(text: str, start: int, what: str) -> FeedError:
    template = _REFUSAL if _ENTITY.search(text, start) else _DTD_REFUSAL
    return FeedError(template.format(what=what))


def root_start(text: str) -> int:
    """Where the root element starts, after a prolog without entity or element declarations; FeedError
    if the prolog holds any, or if there is no element at all."""
    position = 0
    while (start := text.find("<", position)) >= 0:
        if text.startswith("<?", start):
            end = text.find("?>", start + 2)
            position = end + 2 if end >= 0 else len(text)
        elif text.startswith("<!--", start):
            end = text.find("-->", start + 4)
            position = end + 3 if end >= 0 else len(text)
        elif text.startswith("<!", start):
            keyword = match.group(1).upper() if (match := _KEYWORD.match(text, start)) else ""
            end, subset = _declaration_end(text, start)
            if keyword != "DOCTYPE":
                raise _refuse(text, start, f"<!{keyword or text[start + 2 : start + 10]}> before the root")
            if subset:
                raise _refuse(text, start, "<!DOCTYPE … [internal subset]>")
            position = end if end >= 0 else len(text)
        elif _ROOT.match(text, start):
            return start
        else:
            position = start + 1
    raise FeedError("not an RSS or Atom feed (no feed element found)")


def entity_free(document: bytes, headers: dict[str, str]) -> tuple[bytes, Exception | None]:
    """The document for feedparser: UTF-8, our XML declaration, then the text from the root element on
    (no DTD, so nothing to expand); and why the decoding was lenient. FeedError if it carried a DTD."""
    text, lenient = decode_feed(document, headers)
    return (DECLARATION + text[root_start(text) :]).encode("utf-8", errors="replace"), lenient


def refuse_entity_declarations(document: bytes) -> None:
    """Raise FeedError if the document's prolog declares entities (or carries a DTD internal subset)."""
    entity_free(document, {})
