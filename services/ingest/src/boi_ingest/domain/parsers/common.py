"""What every non-feed parser shares: turning raw field values into the feed parser's `FeedItem`, reading
stated dates, and collecting items with their skipped entries into a `ParsedFeed`."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from urllib.parse import urljoin

from boi_ingest.domain import dates
from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.feeds import language_code
from boi_ingest.domain.model import FeedItem, ParsedFeed
from boi_ingest.domain.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS, html_to_text, normalize_text, shorten
from boi_ingest.domain.urls import canonical_url, is_http_url
from boi_shared.ids import call_id_for, content_hash

_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&[#A-Za-z0-9]+;")
_FRACTION = re.compile(r"(\.\d{6})\d+")


class MappingError(FeedError):
    """A field mapping does not fit the document (a path or column that is not there)."""


@dataclass(frozen=True)
class RawEntry:
    """The values a source states for one entry, before normalization."""

    title: object = None
    link: object = None
    text: object = None
    language: object = None
    published_at: object = None
    funder: object = None
    deadline: object = None


def as_text(value: object) -> str:
    """Clean text of a stated value: markup parsed as HTML (scripts dropped), else NFC and spaces."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = value if isinstance(value, str) else str(value)
    return html_to_text(text) if _MARKUP.search(text) else normalize_text(text)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_date(value: object, fmt: str | None = None, language: str | None = None) -> datetime | None:
    """A stated date in UTC, or None: `fmt` first when the mapping gives one, else the formats of
    `domain.dates` (RFC 3339/ISO 8601, RFC 822, common Spanish and English dates)."""
    if isinstance(value, datetime):
        return _aware(value)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    if fmt:
        try:
            return _aware(datetime.strptime(value.strip(), fmt))
        except ValueError:
            pass
    return dates.parse_date(value, language)


def _stated_day(value: object, fmt: str | None) -> str:
    """A stated deadline as a plain date in its own time zone (2021-07-13T23:59-04:00 → 2021-07-13)."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = as_text(value)
    if fmt:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    if text[:4].isdigit() and text[4:5] == "-":
        try:
            return (
                datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))).date().isoformat()
            )
        except ValueError:
            pass
    return text


def _with_stated_fields(text: str, entry: RawEntry, fmt: str | None) -> str:
    """Funder and deadline fields are appended as labelled sentences, where the deadline and funder
    candidates of normalization (and enrichment's evidence) find them."""
    stated = (("Funder", as_text(entry.funder)), ("Deadline", _stated_day(entry.deadline, fmt)))
    extras = [f"{label}: {value.rstrip('.')}." for label, value in stated if value.rstrip(".")]
    if not extras:
        return text
    if text and not text.endswith((".", "!", "?", "…", ":", ";")):
        text = f"{text}."
    return " ".join([text, *extras]).strip()


def build_item(
    entry: RawEntry, *, base_url: str | None = None, date_format: str | None = None
) -> FeedItem | str:
    """A normalized item, or why the entry is skipped (the same rules as feed entries)."""
    title = shorten(as_text(entry.title), MAX_TITLE_CHARS)
    link = as_text(entry.link)
    if not link:
        return f"no link (title {title[:80]!r})" if title else "no link and no title"
    if not title:
        return f"no title ({link[:200]})"
    if base_url and not is_http_url(link) and is_http_url(base_url):
        link = urljoin(base_url, link)
    try:
        url = canonical_url(link)
    except ValueError as exc:
        return f"unusable link: {exc}"
    text = shorten(_with_stated_fields(as_text(entry.text), entry, date_format), MAX_TEXT_CHARS)
    language = language_code(as_text(entry.language))
    return FeedItem(
        call_id=call_id_for(url),
        url=url,
        item_url=link,
        title=title,
        text=text,
        content_hash=content_hash(title, text),
        language=language,
        published_at=parse_date(entry.published_at, date_format, language),
    )


def _rank(item: FeedItem, prefer: Sequence[str]) -> int:
    return prefer.index(item.language) if item.language in prefer else len(prefer)


def collect(
    results: Iterable[FeedItem | str], feed_type: str, prefer_languages: Sequence[str] = ()
) -> ParsedFeed:
    """Items in order, one per call: of entries sharing a link, the one in the most preferred language."""
    chosen: dict[str, tuple[int, FeedItem]] = {}
    skipped: list[str] = []
    for position, result in enumerate(results, start=1):
        if isinstance(result, str):
            skipped.append(f"entry {position}: {result}")
            continue
        earlier = chosen.get(result.call_id)
        if earlier is None:
            chosen[result.call_id] = (position, result)
        elif _rank(result, prefer_languages) < _rank(earlier[1], prefer_languages):
            chosen[result.call_id] = (position, result)
            skipped.append(f"entry {earlier[0]}: same link as entry {position}, kept in {result.language}")
        else:
            skipped.append(f"entry {position}: same link as entry {earlier[0]} ({result.url[:200]})")
    items = [item for _, item in sorted(chosen.values(), key=lambda pair: pair[0])]
    return ParsedFeed(feed_type=feed_type, items=items, skipped=skipped)


def require_items(parsed: ParsedFeed, what: str) -> ParsedFeed:
    """A document whose every entry was skipped is a failed source, with the first entries' reasons."""
    if parsed.items or not parsed.skipped:
        return parsed
    reasons = "; ".join(parsed.skipped[:3])
    raise MappingError(f"no usable {what} entry out of {len(parsed.skipped)}: {reasons}"[:600])
