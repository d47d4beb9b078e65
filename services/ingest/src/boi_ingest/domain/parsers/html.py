"""HTML listing and detail pages to items, with CSS selectors (Beautiful Soup + soupsieve).

A listing mapping names the `item` selector of the entries and, inside each, the selectors of its fields;
without `item` the page itself is one entry (a detail page). `css@attr` takes an attribute instead of the
text (`a@href`, `time@datetime`). Scripts, styles and similar elements are removed before anything is read.
"""

from collections.abc import Mapping

import soupsieve
from bs4 import BeautifulSoup, Tag
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import ParsedFeed
from boi_ingest.domain.parsers.common import MappingError, RawEntry, build_item, collect, require_items
from boi_ingest.domain.text import html_to_text

_DROPPED = ["script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"]
_FIELDS = ("item", "title", "link", "text", "published_at", "deadline", "funder", "language")


class HtmlMapping(BaseModel):
    """CSS selectors of a listing page's entries and their fields (`css` or `css@attribute`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item: str | None = Field(default=None, description="Entries of a listing; none = a detail page")
    title: str = Field(default="h1, h2, h3", description="Title, inside an entry")
    link: str | None = Field(
        default=None,
        description="Link to the call, inside an entry (default a@href; on a detail page its canonical URL)",
    )
    text: str | None = Field(default=None, description="Description, inside an entry")
    published_at: str | None = Field(default=None, description="Publication date, inside an entry")
    deadline: str | None = Field(default=None, description="Closing date as stated, inside an entry")
    funder: str | None = Field(default=None, description="Who funds the call, inside an entry")
    language: str | None = Field(default=None, description="Language code, inside an entry")
    date_format: str | None = Field(default=None, description="strptime format of the dates, if not ISO")
    base_url: str | None = Field(default=None, description="URL the page lives at (for relative links)")

    @field_validator(*_FIELDS)
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                soupsieve.compile(value.rpartition("@")[0] if "@" in value else value)
            except soupsieve.SelectorSyntaxError as exc:
                raise ValueError(f"not a CSS selector: {value!r} ({exc.args[0]})") from None
        return value


def resolve_mapping(mapping: object) -> HtmlMapping:
    if isinstance(mapping, HtmlMapping):
        return mapping
    if not isinstance(mapping, Mapping):
        raise MappingError(
            'an html source needs a mapping of CSS selectors, e.g. {"item": "article", "title": "h2", '
            '"link": "a@href"}'
        )
    try:
        return HtmlMapping.model_validate(mapping)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "mapping"
        raise MappingError(f"invalid HTML mapping: {where}: {first['msg']}") from None


def _select(scope: Tag, spec: str | None) -> str | None:
    """Text (or attribute) of the first element matching `spec` inside `scope`."""
    if spec is None:
        return None
    selector, _, attribute = spec.rpartition("@") if "@" in spec else (spec, "", "")
    found = scope if selector in ("", ":scope") else scope.select_one(selector)
    if found is None:
        return None
    if attribute:
        value = found.get(attribute)
        return " ".join(value) if isinstance(value, list) else value
    return html_to_text(found.decode_contents())


def _link(scope: Tag, m: HtmlMapping, page_url: str | None) -> str | None:
    if m.item is not None:
        return _select(scope, m.link or "a@href")
    if m.link is not None:
        return _select(scope, m.link)
    return _select(scope, 'link[rel="canonical"]@href') or page_url


def _entry(scope: Tag, m: HtmlMapping, page_url: str | None) -> RawEntry:
    return RawEntry(
        title=_select(scope, m.title),
        link=_link(scope, m, page_url),
        text=_select(scope, m.text),
        language=_select(scope, m.language),
        published_at=_select(scope, m.published_at),
        funder=_select(scope, m.funder),
        deadline=_select(scope, m.deadline),
    )


def parse_html(document: bytes, mapping: object, *, base_url: str | None = None) -> ParsedFeed:
    """Items of a listing page (one per `item`) or of a detail page (the page itself)."""
    m = resolve_mapping(mapping)
    page_url = base_url or m.base_url
    try:
        soup = BeautifulSoup(document, "html.parser")
    except Exception as exc:  # html.parser is lenient; anything it raises means unreadable bytes
        raise FeedError(f"not a readable HTML page: {type(exc).__name__}: {exc}"[:300]) from None
    for element in soup(_DROPPED):
        element.decompose()
    if m.item is None:
        scopes: list[Tag] = [soup]
    else:
        scopes = soup.select(m.item)
        if not scopes:
            raise MappingError(f"mapping field 'item': no element matches {m.item!r} on the page")
    page_language = soup.html.get("lang") if soup.html is not None else None
    results = []
    for scope in scopes:
        raw = _entry(scope, m, page_url)
        if raw.language is None and isinstance(page_language, str):
            raw = RawEntry(**{**raw.__dict__, "language": page_language})
        results.append(build_item(raw, base_url=page_url, date_format=m.date_format))
    return require_items(collect(results, "html"), "HTML")
