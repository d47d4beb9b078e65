"""Refuse hostile XML before any parser sees it: a DOCTYPE that declares entities (XML bombs, XXE).

Feeds never need entity declarations. Two checks, both before feedparser:
1. a strict textual one that works on ill-formed documents too: a DOCTYPE with an internal subset
   followed by `<!ENTITY` is refused (a literal `<!ENTITY` inside CDATA after such a DOCTYPE is refused
   as well — an accepted false positive);
2. defusedxml's parser with entities and external references forbidden, for well-formed documents.
An external DTD reference alone (`<!DOCTYPE rss PUBLIC … rss-0.91.dtd>`, common in old RSS) is accepted:
no parser here fetches it.
"""

import codecs
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from boi_ingest.domain.errors import FeedError

_DOCTYPE_WITH_SUBSET = re.compile(r"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_REFUSAL = (
    "refused: the document declares XML entities in its DOCTYPE ({what}); feeds never need them and "
    "they are how XML bombs and external-entity attacks work. Ask the publisher for a plain RSS/Atom feed."
)


def _markup_text(document: bytes) -> str:
    """The document as text good enough to find ASCII markup, whatever its encoding."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if document.startswith(bom):
            return document[len(bom) :].decode(encoding, errors="replace")
    if document[:2] == b"<\x00":
        return document.decode("utf-16-le", errors="replace")
    if document[:2] == b"\x00<":
        return document.decode("utf-16-be", errors="replace")
    # Every byte maps in latin-1, and markup is ASCII in UTF-8 and in every 8-bit charset.
    return document.decode("latin-1")


def refuse_entity_declarations(document: bytes) -> None:
    """Raise FeedError if the document declares entities; return quietly otherwise."""
    text = _markup_text(document)
    doctype = _DOCTYPE_WITH_SUBSET.search(text)
    if doctype is not None and _ENTITY_DECLARATION.search(text, doctype.end()):
        raise FeedError(_REFUSAL.format(what="<!ENTITY> declaration"))
    try:
        fromstring(document, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedError(_REFUSAL.format(what=type(exc).__name__)) from None
    except (ParseError, ValueError, LookupError):
        # Ill-formed or in an encoding expat lacks: check 1 already ran; feedparser decides (bozo).
        return
