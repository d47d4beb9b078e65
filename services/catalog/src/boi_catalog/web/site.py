"""The public site, rendered on the server (search engines index it, phones need no script); with
JavaScript on, `static/search.js` searches Meilisearch as you type with a tenant token."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from boi_catalog.domain.public import public_url
from boi_catalog.domain.search import MAX_TOTAL_HITS
from boi_catalog.service.public import find_public_call
from boi_catalog.web import NOT_FOUND_ES, UNAVAILABLE_ES, WebContext, is_call_id
from boi_catalog.web.call_page import BOGOTA, call_details
from boi_catalog.web.facets import facet_groups, filter_choices
from boi_catalog.web.present import (
    call_json_ld,
    card,
    card_from_hit,
    date_es,
    json_ld,
    safe_href,
    share_links,
)
from boi_catalog.web.public_search import PublicSearch
from boi_catalog.web.query import SORT_LABELS_ES, SearchParams, parse
from boi_catalog.web.render import Renderer
from boi_catalog.web.reports import ReportGuard, report_form
from boi_catalog.web.security import origin
from boi_catalog.web.visits import Visits
from boi_shared.errors import TransientError
from boi_shared.taxonomy import CALL_TYPE_LABELS_ES

PAGE_SIZE = 20
MAX_PAGE = MAX_TOTAL_HITS // PAGE_SIZE


def utm_query(utm: dict[str, str | None]) -> str:
    """`?utm_…` to carry a page's attribution to its click on the official source ('' when none)."""
    kept = {k: v[:100] for k, v in utm.items() if v}
    return "?" + urlencode(kept) if kept else ""


def site_router(
    ctx: WebContext, search: PublicSearch, guard: ReportGuard | None = None, visits: Visits | None = None
) -> APIRouter:
    visits = visits or Visits(ctx.public_base_url, None)
    guard = guard or ReportGuard.for_context(ctx)
    direct = bool(ctx.settings and ctx.settings.browser_search_direct)
    # The browser may only talk to Meilisearch when it searches it directly.
    notify_url = ctx.settings.notify_public_url if ctx.settings else ""
    render = Renderer(origin(search.public_url) if direct else "", notify_url)
    router = APIRouter(include_in_schema=False)

    async def listing(
        template: str, params: SearchParams, page: int, background: BackgroundTasks
    ) -> HTMLResponse:
        values: dict[str, Any] = {
            "p": params,
            "page": page,
            "types": list(CALL_TYPE_LABELS_ES.items()),
            "sorts": list(SORT_LABELS_ES.items()),
            "feed_query": params.with_(sort="recientes").as_query(),
            "search_mode": "meili" if direct else "api",
        }
        try:
            found = await search.search(params)
        except TransientError:
            values.update(error=UNAVAILABLE_ES, total=0, cards=[], facets=[], has_next=False)
            values.update(choices=filter_choices({}, params))
            return render(template, 503, **values)
        # Results are counted by the page's beacon once a person has seen them (web/beacon.py).
        values.update(
            error=None,
            total=found.total,
            cards=[card_from_hit(h) for h in found.hits],
            facets=facet_groups(found.facets, params),
            choices=filter_choices(found.facets, params),
            has_next=params.offset + len(found.hits) < found.total,
        )
        return render(template, **values)

    @router.get("/", response_class=HTMLResponse)
    async def home(
        background: BackgroundTasks,
        q: str = "",
        kind: str = Query("", alias="type"),
        eligibility: str = "",
        language: str = "",
        sort: str = "",
        sector: str = "",
        ods: str = "",
        audience: str = "",
        modality: str = "",
        page: int = 1,
    ) -> HTMLResponse:
        page = min(max(page, 1), MAX_PAGE)
        params = parse(
            q,
            kind,
            eligibility,
            language,
            sort,
            sector=sector,
            ods=ods,
            audience=audience,
            modality=modality,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        return await listing("search.html", params, page, background)

    @router.get("/cerradas", response_class=HTMLResponse)
    async def closed(background: BackgroundTasks, q: str = "", page: int = 1) -> HTMLResponse:
        page = min(max(page, 1), MAX_PAGE)
        params = parse(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, closed=True)
        return await listing("closed.html", params, page, background)

    @router.get("/convocatorias/{call_id}", response_class=HTMLResponse)
    async def call_page(
        call_id: str,
        background: BackgroundTasks,
        request: Request,
        utm_source: str | None = None,
        utm_medium: str | None = None,
        utm_campaign: str | None = None,
    ) -> HTMLResponse:
        if not is_call_id(call_id):
            return render("message.html", 404, title="Convocatoria no encontrada", message=NOT_FOUND_ES)
        try:
            call = await find_public_call(ctx.repository, call_id)
        except TransientError:
            return render("message.html", 503, title="Servicio no disponible", message=UNAVAILABLE_ES)
        if call is None:
            return render("message.html", 404, title="Convocatoria no encontrada", message=NOT_FOUND_ES)
        utm = {"utm_source": utm_source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
        visit = await visits.visit(request, **utm)
        if visit is not None:  # crawlers and headless browsers are not counted
            background.add_task(ctx.impressions.record, [visit.impression(call.call_id, "call_view")])
        canonical = public_url(ctx.public_base_url, call.call_id)
        item = card(
            call_id=call.call_id,
            title=call.title,
            summary=call.summary,
            call_type=call.call_type,
            deadline=call.deadline,
            colombia_eligible=call.colombia_eligible,
            url=call.url,
        )
        ld = call_json_ld(
            title=call.title,
            summary=call.summary,
            canonical_url=canonical,
            official_url=item["official_url"],
            deadline=call.deadline,
            funder=call.funder,
            published=call.published_at.date(),
            language=call.language,
        )
        report = report_form(guard, request, call.call_id)
        response = render(
            "call.html",
            call=item,
            subscribe_type=call.call_type or "",
            utm_query=utm_query(utm),
            json_ld=json_ld(ld),
            share=share_links(call.title, canonical),
            paragraphs=[p.strip() for p in call.text.split("\n") if p.strip()],
            funder=call.funder,
            status=call.status,
            canonical_url=canonical,
            updated=date_es(call.updated_at.date()),
            sources=[s for s in (safe_href(src.get("item_url")) for src in call.sources) if s],
            report=report,
            **call_details(call, datetime.now(BOGOTA).date()),
        )
        guard.set_cookie(response, report["nonce"])
        return response

    @router.get("/politica-de-publicacion", response_class=HTMLResponse)
    async def listing_policy() -> HTMLResponse:
        return render("policy.html")

    @router.get("/ir/{call_id}")
    async def go_to_source(
        call_id: str,
        request: Request,
        background: BackgroundTasks,
        utm_source: str | None = None,
        utm_medium: str | None = None,
        utm_campaign: str | None = None,
    ) -> Response:
        """Count the click, then send the visitor to the official source (http(s) targets only)."""
        try:
            call = await find_public_call(ctx.repository, call_id) if is_call_id(call_id) else None
        except TransientError:
            return render("message.html", 503, title="Servicio no disponible", message=UNAVAILABLE_ES)
        target = safe_href(call.url) if call is not None else None
        if call is None or target is None:
            return render("message.html", 404, title="Convocatoria no encontrada", message=NOT_FOUND_ES)
        visit = await visits.visit(
            request, utm_source=utm_source, utm_medium=utm_medium, utm_campaign=utm_campaign
        )
        if visit is not None:
            background.add_task(ctx.impressions.record, [visit.impression(call.call_id, "source_click")])
        return RedirectResponse(target, status_code=302, headers={"Referrer-Policy": "no-referrer"})

    return router
