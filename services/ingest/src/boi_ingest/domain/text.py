"""Clean text from feed fields: HTML to text (scripts and styles dropped, entities decoded), NFC, spaces."""

import re
import unicodedata
from html.parser import HTMLParser

MAX_TITLE_CHARS = 500
MAX_TEXT_CHARS = 20_000  # keeps an event far below Kafka's default 1 MB message limit

_DROPPED = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg", "math"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "td",
        "th",
        "tr",
        "ul",
    }
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


class _TextExtractor(HTMLParser):
    """Collects character data, skipping dropped elements; block boundaries become spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropped_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropped_depth += 1
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropped_depth = max(0, self._dropped_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._dropped_depth:
            self.parts.append(data)


def normalize_text(text: str) -> str:
    """NFC, control characters removed, every run of whitespace collapsed to one space."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROLS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment: tags stripped, scripts/styles dropped, entities decoded."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return normalize_text("".join(parser.parts))


def clean_text(value: str, content_type: str | None) -> str:
    """Clean text of a feed field, parsing it as HTML when the feed says it is HTML."""
    if content_type and content_type.lower() in HTML_TYPES:
        return html_to_text(value)
    return normalize_text(value)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary, marking the cut with an ellipsis; deterministic, so hashes stay stable."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head, sep, _ = cut.rpartition(" ")
    return f"{head if sep and len(head) > limit // 2 else cut}…"
