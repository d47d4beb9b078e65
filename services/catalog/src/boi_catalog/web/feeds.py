"""RSS 2.0, Atom and iCal feeds of the published calls; they accept the same filters as the search.

Written with `feedgen` and `icalendar` (well-kept libraries that escape XML and fold iCal lines), not
with hand-made templates: a title may contain anything an official page contains.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from feedgen.feed import FeedGenerator
from icalendar import Calendar, Event

from boi_catalog.branding import current
from boi_catalog.domain.public import public_url
from boi_catalog.web import UNAVAILABLE_ES, WebContext
from boi_catalog.web.present import deadline_label, eligibility_label, type_label
from boi_catalog.web.public_search import PublicSearch
from boi_catalog.web.query import SearchParams, parse
from boi_shared.errors import TransientError

FEED_SIZE = 50


def _description(hit: dict[str, Any]) -> str:
    labels = [type_label(hit.get("call_type")), deadline_label(hit.get("deadline"))]
    labels.append(eligibility_label(hit.get("colombia_eligible")))
    return f"{hit.get('summary') or ''}\n\n" + " · ".join(labels)


def feed_xml(hits: list[dict[str, Any]], base_url: str, self_url: str, atom: bool) -> bytes:
    fg = FeedGenerator()
    fg.id(self_url)
    brand = current()  # the entity's name and region (`BOI_BRAND_*`), as on every page
    fg.title(f"{brand.name} · Convocatorias internacionales")
    fg.link(href=base_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.description(f"Becas, fondos, premios, cursos y alianzas internacionales para {brand.region}.")
    fg.language("es")
    for hit in reversed(hits):  # feedgen prepends: keep the search order
        entry = fg.add_entry()
        link = public_url(base_url, hit["id"])
        entry.id(link)
        entry.guid(link, permalink=True)
        entry.title(hit.get("title") or "")
        entry.link(href=link)
        entry.description(_description(hit))
        published = (
            datetime.fromtimestamp(hit.get("published_ts") or 0, UTC) if hit.get("published_ts") else None
        )
        if published:
            entry.published(published)
            entry.updated(published)
    data: bytes = fg.atom_str(pretty=True) if atom else fg.rss_str(pretty=True)
    return data


def deadlines_ics(hits: list[dict[str, Any]], base_url: str, now: datetime) -> bytes:
    """One all-day VEVENT on each call's closing date."""
    cal = Calendar()
    cal.add("prodid", "-//BOI//Convocatorias//ES")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{current().name} · Cierres de convocatorias")
    for hit in hits:
        if not hit.get("deadline"):
            continue
        day = date.fromisoformat(hit["deadline"])
        link = public_url(base_url, hit["id"])
        event = Event()
        event.add("uid", f"{hit['id']}@boi")
        event.add("dtstamp", now)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"Cierre: {hit.get('title') or ''}")
        event.add("description", f"{_description(hit)}\n{link}")
        event.add("url", link)
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def feed_filters(
    q: str = "",
    kind: str = Query("", alias="type"),
    eligibility: str = "",
    language: str = "",
    sort: str = "",
    sector: str = "",
    ods: str = "",
    audience: str = "",
    modality: str = "",
) -> SearchParams:
    """The search's filters (unknown values dropped, as on the site); newest first unless `sort` says."""
    return parse(
        q,
        kind,
        eligibility,
        language,
        sort or "recientes",
        sector=sector,
        ods=ods,
        audience=audience,
        modality=modality,
    )


def feeds_router(ctx: WebContext, search: PublicSearch) -> APIRouter:
    router = APIRouter(prefix="/feeds", tags=["feeds"])
    base = ctx.public_base_url.rstrip("/")

    async def hits(params: SearchParams) -> list[dict[str, Any]]:
        try:
            found = await search.search(params.with_(limit=FEED_SIZE, offset=0), facets=False)
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        return found.hits

    ok: dict[int | str, dict[str, Any]] = {
        200: {"content": {"application/rss+xml": {}}, "description": "The feed"}
    }

    @router.get("/rss.xml", summary="RSS 2.0 feed (same filters as search)", responses=ok)
    async def rss(params: SearchParams = Depends(feed_filters)) -> Response:
        found = await hits(params)
        body = feed_xml(found, base, f"{base}/feeds/rss.xml", atom=False)
        return Response(body, media_type="application/rss+xml; charset=utf-8")

    @router.get("/atom.xml", summary="Atom feed (same filters as search)", responses=ok)
    async def atom(params: SearchParams = Depends(feed_filters)) -> Response:
        found = await hits(params)
        body = feed_xml(found, base, f"{base}/feeds/atom.xml", atom=True)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @router.get("/cierres.ics", summary="iCal feed of deadlines (same filters as search)", responses=ok)
    async def ical(params: SearchParams = Depends(feed_filters)) -> Response:
        found = await hits(params.with_(sort="cierra_pronto"))
        body = deadlines_ics(found, base, datetime.now(UTC))
        return Response(body, media_type="text/calendar; charset=utf-8")

    return router
