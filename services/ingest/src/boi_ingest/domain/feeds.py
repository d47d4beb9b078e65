"""RSS/Atom documents to normalized feed items, with feedparser, after the hostile-XML guard."""

import calendar
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.guard import entity_free
from boi_ingest.domain.model import FeedItem, ParsedFeed
from boi_ingest.domain.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS, clean_text, shorten
from boi_ingest.domain.urls import canonical_url
from boi_shared.ids import call_id_for, content_hash

_DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
MAX_ENTRIES = 20_000
"""More entries than any feed of calls carries (the office's sources give tens, the benchmark 10,000): past
it the document is a flood, refused before feedparser spends seconds on it."""
_ENTRY_TAG = re.compile(rb"<(?:item|entry)[\s>/]")


def _reason(exc: object) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def language_code(tag: object) -> str | None:
    """ISO 639-1 code of a language tag (`es-CO` → `es`), or None if it is not one."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else None


def _detail_text(detail: Any) -> str:
    if not isinstance(detail, Mapping):
        return ""
    value = detail.get("value")
    return clean_text(value, detail.get("type")) if isinstance(value, str) else ""


def _body(entry: Mapping[str, Any]) -> tuple[str, Mapping[str, Any] | None]:
    """The fullest description: `content` (Atom content, RSS content:encoded) before the summary."""
    for detail in entry.get("content") or []:
        text = _detail_text(detail)
        if text:
            return text, detail
    detail = entry.get("summary_detail")
    return _detail_text(detail), detail


def _published(entry: Mapping[str, Any]) -> datetime | None:
    """feedparser's UTC struct_time → aware datetime; the update date when no publication date."""
    for key in _DATE_KEYS:
        value = entry.get(key)
        if value is None:
            continue
        try:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            continue
    return None


def _language(entry: Mapping[str, Any], body: Mapping[str, Any] | None, feed_lang: str | None) -> str | None:
    for detail in (body, entry.get("title_detail")):
        if isinstance(detail, Mapping) and (code := language_code(detail.get("language"))):
            return code
    return language_code(entry.get("language")) or feed_lang


def _item(entry: Mapping[str, Any], feed_lang: str | None) -> FeedItem | str:
    """A normalized item, or why the entry is skipped."""
    link = entry.get("link")
    title = shorten(_detail_text(entry.get("title_detail")), MAX_TITLE_CHARS)
    if not isinstance(link, str) or not link.strip():
        return f"no link (title {title[:80]!r})" if title else "no link and no title"
    if not title:
        return f"no title ({link[:200]})"
    try:
        url = canonical_url(link)
    except ValueError as exc:
        return f"unusable link: {exc}"
    text, body = _body(entry)
    text = shorten(text, MAX_TEXT_CHARS)
    return FeedItem(
        call_id=call_id_for(url),
        url=url,
        item_url=link.strip(),
        title=title,
        text=text,
        content_hash=content_hash(title, text),
        language=_language(entry, body, feed_lang),
        published_at=_published(entry),
    )


def parse_feed(
    document: bytes, *, base_url: str | None = None, content_type: str | None = None
) -> ParsedFeed:
    """Items of an RSS/Atom document; FeedError if it is hostile or yields nothing readable.

    An ill-formed ("bozo") feed that still yields entries is accepted with a warning. Relative links are
    resolved against `base_url` (the URL the document came from); `content_type` gives the HTTP charset.
    """
    headers = {k: v for k, v in (("content-location", base_url), ("content-type", content_type)) if v}
    # Decoded here and rebuilt without its prolog: feedparser never sees a DTD (domain/guard.py).
    document, lenient = entity_free(document, headers)
    if (entries_seen := sum(1 for _ in _ENTRY_TAG.finditer(document))) > MAX_ENTRIES:
        raise FeedError(
            f"refused: the document has {entries_seen:,} entries, more than {MAX_ENTRIES:,}; "
            "ask the publisher for a feed of the current calls"
        )
    headers["content-type"] = "application/xml; charset=utf-8"
    # A stream, never bytes or str: feedparser treats a string as a URL or file name to open.
    # No sanitizing or URI rewriting of embedded HTML: it is reduced to plain text (scripts dropped) and
    # never rendered; skipping them halves feedparser's time on big feeds.
    parsed = feedparser.parse(
        io.BytesIO(document), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = parsed.get("entries") or []
    version = parsed.get("version") or ""
    bozo = (parsed.get("bozo_exception") if parsed.get("bozo") else None) or lenient
    if not entries:
        if bozo is not None:
            raise FeedError(f"not a readable feed: {_reason(bozo)}")
        if not version:
            raise FeedError("not an RSS or Atom feed (no feed element found)")
    feed_lang = language_code(parsed.get("feed", {}).get("language"))
    items: list[FeedItem] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        result = _item(entry, feed_lang)
        if isinstance(result, str):
            skipped.append(f"entry {position}: {result}")
        elif result.call_id in seen:
            skipped.append(f"entry {position}: same link as an earlier entry ({result.url[:200]})")
        else:
            seen.add(result.call_id)
            items.append(result)
    return ParsedFeed(
        feed_type="atom" if version.startswith("atom") else "rss",
        items=items,
        skipped=skipped,
        warning=f"ill-formed feed read leniently: {_reason(bozo)}" if bozo is not None else None,
    )
