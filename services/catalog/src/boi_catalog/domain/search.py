"""The search side of a call: its Meilisearch document, the filter of what the public may find (the one
place a Meilisearch filter is quoted: `web.query` adds the visitor's filters with it), and result pages."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from boi_catalog.domain.call import CERRADA, SEARCHABLE_STATUSES, CatalogCall
from boi_catalog.domain.public import public_url
from boi_shared.taxonomy import CallType

# Meilisearch counts and pages through at most this many hits per search (its default, 1,000, cut the
# office's 1,300+ calls short: `total: 1000` and empty pages past the thousandth hit).
MAX_TOTAL_HITS = 100_000


def deadline_timestamp(deadline: str | None, tz: str | None) -> int | None:
    """Unix time of the end of the closing day, in the stated time zone (UTC when unknown)."""
    if not deadline:
        return None
    try:
        zone: Any = ZoneInfo(tz) if tz else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    end = datetime.combine(date.fromisoformat(deadline), time(23, 59, 59), tzinfo=zone)
    return int(end.timestamp())


def search_document(call: CatalogCall) -> dict[str, Any]:
    """The call as indexed in Meilisearch (`id` = `call_id`, allowed characters only)."""
    return {
        "id": call.call_id,
        "version": call.version,
        "status": call.status,
        "url": call.url,
        "title": call.title,
        "summary": call.summary,
        "text": call.text,
        "funder": call.funder,
        "call_type": call.call_type,
        "colombia_eligible": call.colombia_eligible,
        "language": call.language,
        "deadline": call.deadline,
        "sectors": call.sectors,
        "ods": call.ods,
        "audience": call.audience,
        "countries": call.countries,
        "modality": call.modality,
        "deadline_ts": deadline_timestamp(call.deadline, call.deadline_tz),
        "published_ts": int(call.published_at.timestamp()),
    }


def quote(value: str) -> str:
    """A string as a Meilisearch filter value (quotes and backslashes escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def public_filter(*, closed: bool = False) -> str:
    """Meilisearch filter: the calls the public may find (`closed`: the closed ones instead). The API
    adds it to every search; browsers' tenant tokens carry it as their search rule."""
    if closed:
        return f"status = {quote(CERRADA)}"
    return "status IN [" + ", ".join(quote(s) for s in SEARCHABLE_STATUSES) + "]"


class SearchHit(BaseModel):
    """A call as listed in search results."""

    call_id: str
    title: str
    summary: str
    call_type: CallType | None = None
    deadline: date | None = None
    colombia_eligible: str
    url: str = Field(description="Official source of the call")
    public_url: str = Field(description="Page of the call on the public site")


class SearchPage(BaseModel):
    """One page of search results."""

    query: str
    total: int = Field(description="Estimated number of matching calls")
    hits: list[SearchHit]


def search_page(query: str, total: int, hits: list[dict[str, Any]], base_url: str) -> SearchPage:
    return SearchPage(
        query=query,
        total=total,
        hits=[
            SearchHit(
                call_id=h["id"],
                title=h["title"],
                summary=h["summary"],
                call_type=h.get("call_type"),
                deadline=h.get("deadline"),
                colombia_eligible=h.get("colombia_eligible") or "sin_dato",
                url=h["url"],
                public_url=public_url(base_url, h["id"]),
            )
            for h in hits
        ],
    )
