"""Parsers of every source type, all returning the feed parser's `ParsedFeed`, and the dispatcher.

The HTML and spreadsheet parsers are imported when first needed: Beautiful Soup and openpyxl take about a
second to import, which every `boi` command would otherwise pay.
"""

import dataclasses

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.feeds import parse_feed
from boi_ingest.domain.model import Document, ParsedFeed
from boi_ingest.domain.parsers import json_api
from boi_ingest.domain.parsers.common import MappingError

__all__ = ["DOCUMENT_TYPES", "MappingError", "check_mapping", "parse_document"]

DOCUMENT_TYPES = frozenset({"rss", "atom", "json_api", "html", "csv", "xlsx"})


def check_mapping(source_type: str, mapping: object) -> None:
    """Raise MappingError when `mapping` cannot serve a source of that type."""
    if source_type == "json_api":
        json_api.resolve_mapping(mapping)
    elif source_type == "html":
        from boi_ingest.domain.parsers import html

        html.resolve_mapping(mapping)
    elif source_type in ("csv", "xlsx"):
        from boi_ingest.domain.parsers import tabular

        tabular.resolve_mapping(mapping)
    elif mapping is not None:
        raise MappingError(f"a {source_type} source takes no mapping")


def with_language(parsed: ParsedFeed, language: str | None) -> ParsedFeed:
    """The source's language hint for the items that state none."""
    if language is None or all(item.language for item in parsed.items):
        return parsed
    items = [i if i.language else dataclasses.replace(i, language=language) for i in parsed.items]
    return dataclasses.replace(parsed, items=items)


def parse_document(
    document: Document, source_type: str, mapping: object = None, language: str | None = None
) -> ParsedFeed:
    """Items of a fetched document, by the source's type; FeedError (or MappingError) if unusable."""
    content = document.content
    if source_type in ("rss", "atom"):
        parsed = parse_feed(content, base_url=document.base_url, content_type=document.content_type)
    elif source_type == "json_api":
        parsed = json_api.parse_json(content, mapping, base_url=document.base_url)
    elif source_type == "html":
        from boi_ingest.domain.parsers import html

        parsed = html.parse_html(content, mapping, base_url=document.base_url)
    elif source_type in ("csv", "xlsx"):
        from boi_ingest.domain.parsers import tabular

        parse = tabular.parse_csv if source_type == "csv" else tabular.parse_xlsx
        parsed = parse(content, mapping)
    else:
        raise FeedError(f"a {source_type} source has no document to parse")
    return with_language(parsed, language)
