"""The console's editorial pages (curators): the day's plan picked from today's candidates with
checkboxes and an order, announced at the chosen hour; the weekly bulletin proposed by score, edited and
approved; and the social outbox (edit, copy, mark as posted) with each call's Instagram card."""

import asyncio
import logging
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import parse_qs, quote

from aiokafka.errors import KafkaError
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from boi_catalog.adapters.card_image import render_png
from boi_catalog.branding import current
from boi_catalog.domain import social
from boi_catalog.domain.editorial import PlanRefused, iso_week
from boi_catalog.service import editorial, outbox
from boi_catalog.service.outbox import DraftRefused
from boi_catalog.web import WebContext, is_call_id
from boi_catalog.web.auth import Sessions, User
from boi_catalog.web.present import deadline_label, eligibility_label, type_label
from boi_catalog.web.render import Renderer

log = logging.getLogger("boi.catalog.console")

PREFIX = "/consola"
CHANNEL_LABELS = {"linkedin": "LinkedIn", "x": "X", "instagram": "Instagram", "whatsapp": "WhatsApp"}


async def multi_form(request: Request) -> dict[str, list[str]]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def picked_in_order(values: dict[str, list[str]]) -> list[str]:
    """Ticked `call_id`s ordered by their `orden_<id>` number (ties and blanks keep the page's order)."""
    ticked = list(dict.fromkeys(v.strip() for v in values.get("call_id", []) if v.strip()))

    def rank(item: tuple[int, str]) -> tuple[float, int]:
        raw = (values.get(f"orden_{item[1]}") or [""])[-1].strip()
        return (float(raw) if raw.isdigit() else float("inf"), item[0])

    return [call_id for _, call_id in sorted(enumerate(ticked), key=rank)]


def row(call: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "title": call.title,
        "type_label": type_label(call.call_type),
        "deadline_label": deadline_label(call.deadline),
        "eligibility_label": eligibility_label(call.colombia_eligible),
        **(extra or {}),
    }


class NoViews:
    async def views(self) -> dict[str, int]:
        return {}


def editorial_router(ctx: WebContext, sessions: Sessions) -> APIRouter:
    assert ctx.editorial is not None
    store = ctx.editorial
    render = Renderer()
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def page(name: str, user: User, **values: Any) -> HTMLResponse:
        response = render(name, 200, user=user, **values)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def posted(request: Request) -> tuple[User, dict[str, list[str]]]:
        user = sessions.require(request)
        values = await multi_form(request)
        sessions.check_csrf(user, (values.get("csrf") or [""])[-1])
        return user, values

    def back(path: str, notice: str) -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}{path}?aviso={quote(notice[:300])}", status_code=303)

    def one(values: dict[str, list[str]], name: str) -> str:
        return (values.get(name) or [""])[-1].strip()

    @router.get("/plan", response_class=HTMLResponse)
    async def plan_form(request: Request, aviso: str = "") -> HTMLResponse:
        user = sessions.require(request)
        today = datetime.now(current().zone).date()
        plan = await store.get_plan("day", today.isoformat()) or {}
        chosen = plan.get("call_ids", [])
        candidates = await editorial.day_candidates(ctx.repository, store, today)
        rows = [
            row(
                c,
                {
                    "picked": c.call_id in chosen,
                    "order": chosen.index(c.call_id) + 1 if c.call_id in chosen else "",
                },
            )
            for c in candidates[:60]
        ]
        return page("console/plan.html", user, rows=rows, plan=plan, today=today.isoformat(), notice=aviso)

    @router.post("/plan/dia")
    async def plan_day(request: Request) -> Response:
        user, values = await posted(request)
        brand = current()
        try:
            day = date.fromisoformat(one(values, "fecha"))
            hour = time.fromisoformat(one(values, "hora") or "09:00")
        except ValueError:
            return back("/plan", "Revise la fecha y la hora del plan.")
        publish_at = datetime.combine(day, hour, brand.zone).astimezone(UTC)
        try:
            await editorial.save_day_plan(
                ctx.repository, store, day, picked_in_order(values), publish_at, user.name
            )
        except PlanRefused as exc:
            return back("/plan", f"Plan no guardado: {exc}")
        notice = f"Plan del {day.isoformat()} programado para las {hour.strftime('%H:%M')}."
        if ctx.publish is not None and publish_at <= datetime.now(UTC):
            await editorial.announce_due(
                ctx.repository, store, ctx.publish, ctx.public_base_url, brand, datetime.now(UTC)
            )
            notice = f"Plan del {day.isoformat()} anunciado en todos los canales."
        return back("/plan", notice)

    @router.get("/boletin", response_class=HTMLResponse)
    async def bulletin_form(request: Request, semana: str = "", aviso: str = "") -> HTMLResponse:
        user = sessions.require(request)
        today = datetime.now(current().zone).date()
        key = semana or iso_week(today)
        saved = await store.get_plan("week", key) or {}
        ranked = await editorial.propose_bulletin(ctx.repository, ctx.views or NoViews(), today, size=30)
        chosen = saved.get("call_ids") or [s.call.call_id for s in ranked[:5]]
        rows = [
            row(
                s.call,
                {
                    "picked": s.call.call_id in chosen,
                    "order": chosen.index(s.call.call_id) + 1 if s.call.call_id in chosen else "",
                    "score": s.score,
                    "parts": s.parts,
                },
            )
            for s in ranked
        ]
        return page("console/bulletin.html", user, rows=rows, key=key, saved=saved, notice=aviso)

    @router.post("/boletin")
    async def bulletin_save(request: Request) -> Response:
        user, values = await posted(request)
        key = one(values, "semana")
        approve = one(values, "accion") == "aprobar"
        try:
            await editorial.save_bulletin(
                ctx.repository,
                store,
                key,
                picked_in_order(values),
                one(values, "titulo"),
                one(values, "intro"),
                user.name,
                approve=approve,
                base_url=ctx.public_base_url,
                brand=current(),
                announce=ctx.publish_bulletin,
            )
        except (PlanRefused, ValueError) as exc:
            return back("/boletin", f"Boletín no guardado: {exc}")
        except KafkaError as exc:  # saved and public; approving again hands it to notify (once a week)
            log.warning("bulletin %s not handed to notify: %r", key, exc)
            return back(
                "/boletin",
                f"Boletín {key} aprobado, pero no se pudo avisar a los suscriptores: "
                "vuelve a aprobarlo en unos minutos.",
            )
        if approve:
            return back("/boletin", f"Boletín {key} aprobado y publicado en /boletin/{key}.")
        return back("/boletin", f"Borrador del boletín {key} guardado.")

    @router.get("/difusion", response_class=HTMLResponse)
    async def outbox_page(request: Request, aviso: str = "") -> HTMLResponse:
        user = sessions.require(request)
        drafts = await store.drafts()
        for d in drafts:
            d["channel_label"] = CHANNEL_LABELS.get(d["channel"], d["channel"])
            d["length"] = social.x_length(d["text"]) if d["channel"] == "x" else len(d["text"])
            d["card"] = d["channel"] == "instagram" and d["subject"].startswith("call:")
        return page("console/outbox.html", user, drafts=drafts, notice=aviso)

    @router.post("/difusion/{draft_id}/editar")
    async def edit_draft_text(request: Request, draft_id: str) -> Response:
        user, values = await posted(request)
        try:
            await outbox.edit_draft(store, draft_id, one(values, "texto"), user.name)
        except (DraftRefused, LookupError) as exc:
            return back("/difusion", f"No se guardó: {exc}")
        return back("/difusion", "Texto guardado.")

    @router.post("/difusion/{draft_id}/publicada")
    async def mark_draft_posted(request: Request, draft_id: str) -> Response:
        user, values = await posted(request)
        try:
            await outbox.mark_posted(
                store, ctx.impressions, draft_id, user.name, one(values, "donde"), datetime.now(UTC)
            )
        except (DraftRefused, LookupError) as exc:
            return back("/difusion", f"No se marcó: {exc}")
        return back("/difusion", "Marcada como publicada.")

    @router.get("/difusion/tarjeta/{call_id}.png")
    async def card_image(request: Request, call_id: str) -> Response:
        sessions.require(request)
        call = await ctx.repository.get(call_id) if is_call_id(call_id) else None
        if call is None:
            raise HTTPException(status_code=404, detail="No existe esa convocatoria.")
        brand = current()
        facts = {
            "type": brand.type_label(call.call_type),
            "title": social.plain(call.title),
            "deadline": deadline_label(call.deadline),
            "who": social.ELIGIBILITY_ES.get(call.colombia_eligible, ""),
            "funder": f"Ofrece: {social.plain(call.funder)}" if call.funder else "",
            "entity": f"{brand.name} · {brand.tagline}",
        }
        data = await asyncio.to_thread(render_png, facts, (brand.primary, "#ffffff", brand.accent))
        headers = {
            "Content-Disposition": f'inline; filename="tarjeta-{call_id}.png"',
            "Cache-Control": "no-store",
        }
        return Response(data, media_type="image/png", headers=headers)

    return router
