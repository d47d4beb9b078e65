"""notify's page of the console, `/consola/suscripciones`, behind the catalog's signed session (the
`boi_console` cookie, verified by `boi_shared.console`): counts for every operator; for admins a search by
address (sent in a POST body, so it never lands in a URL or an access log) and the deletion of its data."""

from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from boi_notify.domain.subscription import InvalidSubscription
from boi_notify.service.desk import Holder, SubscriberDesk
from boi_notify.service.emails import FREQUENCY_LABELS
from boi_shared.branding import Brand
from boi_shared.console import ConsoleSession, Operator

PATH = "/consola/suscripciones"
SIGN_IN = "Esta página es de la consola. Inicia sesión en /consola y vuelve a abrirla."


def console_router(
    desk: SubscriberDesk, session: ConsoleSession, base: str, site_url: str, brand: Brand
) -> APIRouter:
    env = Environment(loader=PackageLoader("boi_notify", "templates"), autoescape=select_autoescape(["html"]))
    api = APIRouter(prefix=PATH, include_in_schema=False)

    async def page(
        operator: Operator | None, status: int = 200, notice: str = "", **ctx: object
    ) -> HTMLResponse:
        values = {"base": base, "site_url": site_url, "title": "Suscripciones", "notice": notice, **ctx}
        values.update(brand=brand, logo_url=f"{base}/marca/logo" if brand.logo else "")
        if operator is not None:
            values.update(operator=operator, census=await desk.census(), frequencies=FREQUENCY_LABELS)
        html = env.get_template("pages/console.html").render(values)
        return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})

    async def admin_form(request: Request) -> tuple[Operator, dict[str, str]]:
        operator = await session.require_admin(request)
        body = (await request.body()).decode("utf-8", errors="replace")[:2_000]
        values = {k: v[-1].strip() for k, v in parse_qs(body, keep_blank_values=True).items()}
        session.check_csrf(operator, values.get("csrf", ""))
        return operator, values

    async def refused(request: Request, exc: HTTPException) -> HTMLResponse:
        return await page(await session.operator(request), exc.status_code, str(exc.detail))

    @api.get("", response_class=HTMLResponse)
    async def overview(request: Request) -> HTMLResponse:
        operator = await session.operator(request)
        return await page(operator, 200 if operator else 401, "" if operator else SIGN_IN)

    @api.post("/buscar", response_class=HTMLResponse)
    async def search(request: Request) -> HTMLResponse:
        try:
            operator, values = await admin_form(request)
        except HTTPException as exc:
            return await refused(request, exc)
        email = values.get("email", "")[:254]
        try:
            holder = await desk.lookup(email)
        except InvalidSubscription as exc:
            return await page(operator, 422, str(exc), searched=email)
        notice = "" if holder else "No guardamos ningún dato de esa dirección."
        return await page(operator, notice=notice, searched=email, holder=_shown(holder))

    @api.post("/borrar", response_class=HTMLResponse)
    async def erase(request: Request) -> HTMLResponse:
        try:
            operator, values = await admin_form(request)
        except HTTPException as exc:
            return await refused(request, exc)
        done = await desk.erase(values.get("subscriber", ""), operator.name)
        notice = (
            "Borramos la dirección y todas sus suscripciones; sus envíos quedan como conteos anónimos."
            if done
            else "Esa persona ya no tiene datos guardados."
        )
        return await page(operator, notice=notice)

    return api


def _shown(holder: Holder | None) -> dict[str, object] | None:
    if holder is None:
        return None
    subs = [
        {
            "topic": s.topic.describe(),
            "frequency": FREQUENCY_LABELS[s.frequency.value],
            "state": "confirmada" if s.confirmed else "sin confirmar",
            "since": s.created_at.strftime("%Y-%m-%d"),
        }
        for s in holder.subscriptions
    ]
    return {
        "id": holder.person.id,
        "email": holder.person.email,
        "suppressed": holder.person.suppressed,
        "subs": subs,
    }
