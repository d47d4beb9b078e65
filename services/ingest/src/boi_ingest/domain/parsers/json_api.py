"""JSON API responses to items through a declarative mapping of dotted paths.

A field is a dotted path from the entry (`metadata.title`, `cfdaList.0`), a template of paths
(`https://www.grants.gov/search-results-detail/{id}`), or a list of those tried in order. A value that is a
list gives its first non-empty element (the EU portal wraps every value in a list).
"""

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import FeedItem, ParsedFeed
from boi_ingest.domain.parsers.common import MappingError, RawEntry, build_item, collect, require_items
from boi_ingest.domain.unicode import sniff_unicode

FieldSpec = str | list[str]
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_MISSING = object()


class JsonMapping(BaseModel):
    """Where a JSON document keeps its entries and each entry its fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: str = Field(default="", description="Dotted path of the list of entries; '' = the document")
    title: FieldSpec = Field(description="Title of the call")
    url: FieldSpec = Field(description="Link to the call's page")
    text: FieldSpec | None = Field(default=None, description="Description (HTML is cleaned)")
    language: FieldSpec | None = Field(default=None, description="Language code of the entry")
    published_at: FieldSpec | None = Field(default=None, description="Publication or opening date")
    deadline: FieldSpec | None = Field(default=None, description="Closing date, as stated")
    funder: FieldSpec | None = Field(default=None, description="Who funds the call")
    date_format: str | None = Field(default=None, description="strptime format of the dates, if not ISO")
    default_language: str | None = Field(default=None, description="Language when entries state none")
    exclude: dict[str, list[str]] = Field(default_factory=dict, description="Skip entries with these values")
    prefer_languages: list[str] = Field(
        default_factory=list, description="Of entries sharing a link, keep the first language listed here"
    )


SHIPPED: dict[str, JsonMapping] = {
    # Grants.gov search2 (POST https://api.grants.gov/v1/api/search2): hits carry no description.
    "grants_gov": JsonMapping(
        items="data.oppHits",
        title="title",
        url="https://www.grants.gov/search-results-detail/{id}",
        text=[
            "Opportunity {number} ({docType}, {oppStatus}). Assistance listings: {cfdaList}.",
            "Opportunity {number}.",
        ],
        funder=["agency", "agencyName", "agencyCode"],
        published_at="openDate",
        deadline="closeDate",
        date_format="%m/%d/%Y",
        default_language="en",
    ),
    # EU Funding & Tenders (SEDIA) search: one result per language of a topic, values wrapped in lists.
    # Type 6 results are news updates about a topic (their url is the topic's .json): not calls.
    "eu_funding_tenders": JsonMapping(
        items="results",
        title=["metadata.title", "title", "summary"],
        url=["metadata.url", "url"],
        text=["metadata.descriptionByte", "metadata.description", "content", "summary"],
        language=["metadata.language", "language"],
        published_at=["metadata.startDate", "metadata.es_SortDate"],
        deadline="metadata.deadlineDate",
        exclude={"metadata.type": ["6"]},
        prefer_languages=["es", "en", "fr", "pt"],
    ),
    # challenge.gov prize competitions as scraped to a plain list.
    "challenge_gov": JsonMapping(
        title="name",
        url="details_url",
        text="summary",
        funder="agency",
        published_at="pub_date",
        deadline="deadline",
        default_language="en",
    ),
}


def resolve_mapping(mapping: object) -> JsonMapping:
    """The shipped mapping of that name, or the mapping object validated; MappingError otherwise."""
    if isinstance(mapping, JsonMapping):
        return mapping
    if isinstance(mapping, str):
        if mapping not in SHIPPED:
            raise MappingError(f"unknown JSON mapping {mapping!r}; shipped: {', '.join(sorted(SHIPPED))}")
        return SHIPPED[mapping]
    if not isinstance(mapping, Mapping):
        raise MappingError(f"a json_api source needs a mapping (one of {', '.join(sorted(SHIPPED))})")
    try:
        return JsonMapping.model_validate(mapping)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "mapping"
        raise MappingError(f"invalid JSON mapping: {where}: {first['msg']}") from None


def lookup(data: object, path: str) -> object:
    """The value at a dotted path (list indexes allowed), or `_MISSING`."""
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def _scalar(value: object) -> object:
    """First non-empty element of a list; None for missing, null or empty."""
    if isinstance(value, list):
        return next((v for v in (_scalar(x) for x in value) if v is not None), None)
    if value is _MISSING or value is None or value == "" or isinstance(value, Mapping):
        return None
    return value


def _one(entry: object, spec: str) -> object:
    if "{" not in spec:
        return _scalar(lookup(entry, spec))
    values: dict[str, str] = {}
    for name in _PLACEHOLDER.findall(spec):
        found = lookup(entry, name)
        if isinstance(found, list) and found:
            found = ", ".join(str(v) for v in found if v not in (None, ""))
        if (found := _scalar(found)) is None:
            return None
        values[name] = str(found)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], spec)


def value_of(entry: object, spec: FieldSpec | None) -> object:
    """The first alternative of `spec` that yields a value, or None."""
    for alternative in [spec] if isinstance(spec, str) else spec or []:
        if (found := _one(entry, alternative)) is not None:
            return found
    return None


def _entry(entry: object, m: JsonMapping) -> RawEntry | str:
    for field in ("title", "url"):
        if value_of(entry, getattr(m, field)) is None:
            return f"mapping field '{field}': no value at {getattr(m, field)!r}"
    return RawEntry(
        title=value_of(entry, m.title),
        link=value_of(entry, m.url),
        text=value_of(entry, m.text),
        language=value_of(entry, m.language) or m.default_language,
        published_at=value_of(entry, m.published_at),
        funder=value_of(entry, m.funder),
        deadline=value_of(entry, m.deadline),
    )


def _excluded(entry: object, m: JsonMapping) -> str | None:
    for path, values in m.exclude.items():
        if str(_scalar(lookup(entry, path))) in values:
            return f"excluded by the mapping ({path} = {_scalar(lookup(entry, path))})"
    return None


def entries_of(data: Any, m: JsonMapping) -> list[Any]:
    found = lookup(data, m.items)
    if found is _MISSING:
        keys = ", ".join(list(data)[:12]) if isinstance(data, Mapping) else type(data).__name__
        raise MappingError(
            f"mapping field 'items': path {m.items!r} not found in the document (it has: {keys})"
        )
    if not isinstance(found, list):
        raise MappingError(f"mapping field 'items': {m.items or 'the document'!r} is not a list of entries")
    return found


def json_text(document: bytes) -> str:
    """The text of a JSON document: UTF-8, or UTF-16/32 told by a byte order mark (as Windows tools save
    it) or by the zero bytes of its first character (RFC 8259 § 8.1); UnicodeDecodeError otherwise."""
    encoding, skip = sniff_unicode(document) or ("utf-8", 0)
    return document[skip:].decode(encoding)


def parse_json(document: bytes, mapping: object, *, base_url: str | None = None) -> ParsedFeed:
    """Items of a JSON document through `mapping` (a shipped mapping's name or a mapping object)."""
    m = resolve_mapping(mapping)
    try:
        data = json.loads(json_text(document))
    except UnicodeDecodeError as exc:
        raise FeedError(
            f"not UTF-8 JSON (nor UTF-16 or UTF-32): {exc.reason} at byte {exc.start}; save it as UTF-8"
        ) from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise FeedError("refused: the JSON document is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
        raise FeedError(f"not valid JSON: {exc}"[:300]) from None
    results: list[FeedItem | str] = []
    for entry in entries_of(data, m):
        raw = _excluded(entry, m) or _entry(entry, m)
        results.append(
            raw if isinstance(raw, str) else build_item(raw, base_url=base_url, date_format=m.date_format)
        )
    return require_items(collect(results, "json_api", m.prefer_languages), "JSON")


def guess_mapping(document: bytes) -> str | None:
    """The shipped mapping a JSON document fits (its entries have a title and a link), if any."""
    try:
        data = json.loads(json_text(document))
    except (ValueError, RecursionError):
        return None
    for name, m in SHIPPED.items():
        try:
            entries = entries_of(data, m)
        except MappingError:
            continue
        if any(not isinstance(_entry(e, m), str) for e in entries[:5]):
            return name
    return None
