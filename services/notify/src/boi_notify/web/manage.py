"""The manage pages a person reaches from the link in every email: their subscriptions (one button each to
unsubscribe), the reminder offsets they choose, and "borrar todos mis datos"."""

from collections.abc import Sequence
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from boi_notify.domain.subscription import REMINDER_CHOICES, InvalidSubscription
from boi_notify.domain.tokens import Purpose
from boi_notify.service.emails import FREQUENCY_LABELS
from boi_notify.service.subscriptions import Subscriptions
from boi_notify.web.pages import Pages


def manage_router(use_cases: Subscriptions, pages: Pages, default_reminders: Sequence[int]) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    page, message, read, base = pages.page, pages.message, pages.read, pages.base

    @api.get("/gestionar")
    async def manage(request: Request) -> HTMLResponse:
        async def show(subscriber_id: str) -> HTMLResponse:
            managed = await use_cases.manage(subscriber_id)
            if managed is None:
                return message("No hay datos", ["No guardamos ningún dato asociado a este enlace."], 404)
            subs = [
                {
                    "topic": s.topic.describe(),
                    "frequency": FREQUENCY_LABELS[s.frequency.value],
                    "state": "activa" if s.confirmed else "sin confirmar",
                    "unsubscribe": url,
                }
                for s, url in managed.subscriptions
            ]
            token = request.query_params.get("t", "")
            days = managed.person.reminder_days
            return page(
                "manage",
                title="Tus suscripciones",
                email=managed.person.email,
                subs=subs,
                forget=f"{base}/gestionar/borrar?t={token}",
                reminders=f"{base}/gestionar/recordatorios?t={token}",
                choices=REMINDER_CHOICES,
                chosen=default_reminders if days is None else days,
            )

        return await read(request, Purpose.MANAGE, show)

    @api.post("/gestionar/recordatorios")
    async def reminders(request: Request) -> Response:
        async def act(subscriber_id: str) -> HTMLResponse:
            body = (await request.body()).decode("utf-8", errors="replace")[:1_000]
            chosen = parse_qs(body).get("dias", [])
            try:
                days = await use_cases.set_reminders(subscriber_id, chosen)
            except InvalidSubscription as exc:
                return message("Revisa los recordatorios", [str(exc)], 422)
            if days is None:
                return message("No hay datos", ["No guardamos ningún dato asociado a este enlace."], 404)
            when = ", ".join(f"{d} días" if d > 1 else "1 día" for d in days)
            return message(
                "Recordatorios guardados",
                [f"Te avisaremos {when} antes del cierre." if days else "No te enviaremos recordatorios."],
                link=f"{base}/gestionar?{request.url.query}",
                link_text="Volver a mis suscripciones",
            )

        return await read(request, Purpose.MANAGE, act)

    @api.post("/gestionar/borrar")
    async def forget(request: Request) -> HTMLResponse:
        async def act(subscriber_id: str) -> HTMLResponse:
            await use_cases.forget(subscriber_id)
            return message("Borramos tus datos", ["Eliminamos tu correo y todas tus suscripciones."])

        return await read(request, Purpose.MANAGE, act)

    return api
