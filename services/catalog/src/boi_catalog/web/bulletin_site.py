"""The weekly bulletin in public: its page (`/boletin/2026-50`), the archive (`/boletin`), an RSS feed
with one item per bulletin (`/boletin/rss.xml`) and the printable PDF edition (`/boletin/2026-50.pdf`,
WeasyPrint) to share in the partners' WhatsApp group; and the entity's stylesheet and logo
(`/marca.css`, `/marca/logo`). Bulletin pages and PDF downloads count like call views: one `call_view`
impression per call shown, channel `boletin` / `boletin_pdf`."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, BackgroundTasks, HTTPException
from fastapi.responses import HTMLResponse, Response
from feedgen.feed import FeedGenerator

from boi_catalog.branding import current
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.editorial import week_monday
from boi_catalog.domain.public import impressions
from boi_catalog.service import editorial
from boi_catalog.web import WebContext
from boi_catalog.web.present import card, date_es
from boi_catalog.web.render import Renderer, templates
from boi_shared.branding import logo_response

NOT_FOUND_ES = "No hay un boletín publicado para esa semana. Mira el archivo de boletines."
_PDF_CACHE: dict[tuple[str, str], bytes] = {}


def brand_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/marca.css")
    async def brand_css() -> Response:
        return Response(current().css(), media_type="text/css", headers={"Cache-Control": "max-age=300"})

    @router.get("/marca/logo")
    async def brand_logo() -> Response:
        return logo_response(current())

    return router


def _items(calls: list[CatalogCall]) -> list[dict[str, Any]]:
    items = []
    for call in calls:
        item = card(
            call_id=call.call_id,
            title=call.title,
            summary=call.summary,
            call_type=call.call_type,
            deadline=call.deadline,
            colombia_eligible=call.colombia_eligible,
            url=call.url,
        )
        items.append({**item, "open": call.is_public})
    return items


def _week_label(key: str) -> str:
    return f"Semana del {date_es(week_monday(key))}"


def render_pdf(plan: dict[str, Any], calls: list[CatalogCall], base_url: str) -> bytes:
    """The printable edition: one A4 page per few calls, with the links written out in full."""
    from weasyprint import HTML  # imported on first use: loading pango takes ~0.5 s

    html = (
        templates()
        .get_template("bulletin_pdf.html")
        .render(plan=plan, items=_items(calls), week=_week_label(plan["key"]), base_url=base_url.rstrip("/"))
    )
    data: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return data


def bulletin_router(ctx: WebContext) -> APIRouter:
    assert ctx.editorial is not None
    store = ctx.editorial
    render = Renderer()
    router = APIRouter(include_in_schema=False)

    async def load(key: str) -> tuple[dict[str, Any], list[CatalogCall]]:
        try:
            week_monday(key)
        except ValueError:
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES) from None
        found = await editorial.bulletin(ctx.repository, store, key)
        if found is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES)
        return found

    def count(calls: list[CatalogCall], channel: str, background: BackgroundTasks) -> None:
        shown = impressions([c.call_id for c in calls], "call_view", channel)
        background.add_task(ctx.impressions.record, shown)

    @router.get("/boletin", response_class=HTMLResponse)
    async def archive() -> HTMLResponse:
        plans = await editorial.bulletins(store)
        rows = [{"key": p["key"], "title": p["title"], "week": _week_label(p["key"])} for p in plans]
        return render("bulletins.html", rows=rows)

    @router.get("/boletin/rss.xml")
    async def rss() -> Response:
        base = ctx.public_base_url.rstrip("/")
        fg = FeedGenerator()
        fg.id(f"{base}/boletin")
        fg.title(f"{current().name} · Boletín semanal")
        fg.link(href=f"{base}/boletin", rel="alternate")
        fg.description(f"El top 5 semanal de convocatorias internacionales para {current().region}.")
        fg.language("es")
        for plan in reversed(await editorial.bulletins(store, limit=50)):
            entry = fg.add_entry()
            link = f"{base}/boletin/{plan['key']}"
            entry.id(link)
            entry.guid(link, permalink=True)
            entry.title(plan["title"])
            entry.link(href=link)
            entry.description(plan.get("intro") or _week_label(plan["key"]))
            entry.published(plan.get("approved_at") or datetime.now(UTC))
        return Response(fg.rss_str(pretty=True), media_type="application/rss+xml; charset=utf-8")

    @router.get("/boletin/{key}.pdf")
    async def pdf(key: str, background: BackgroundTasks) -> Response:
        plan, calls = await load(key)
        cache_key = (key, str(plan.get("at")))
        if cache_key not in _PDF_CACHE:
            data = await asyncio.to_thread(render_pdf, plan, calls, ctx.public_base_url)
            _PDF_CACHE.clear()  # one edition kept: the latest asked for
            _PDF_CACHE[cache_key] = data
        count(calls, "boletin_pdf", background)
        headers = {"Content-Disposition": f'inline; filename="boletin-{key}.pdf"'}
        return Response(_PDF_CACHE[cache_key], media_type="application/pdf", headers=headers)

    @router.get("/boletin/{key}", response_class=HTMLResponse)
    async def page(key: str, background: BackgroundTasks) -> HTMLResponse:
        plan, calls = await load(key)
        count(calls, "boletin", background)
        return render("bulletin.html", plan=plan, items=_items(calls), week=_week_label(key))

    return router
