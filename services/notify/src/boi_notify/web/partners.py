"""The console's partners page (`/consola/socios`), served by notify because notify owns the endpoints and
their deliveries: admins sign in at the catalog's /consola and notify verifies the same signed session
(`boi_shared.console`), as metrics does for its dashboard. Register, enable, disable, rotate, and
read each endpoint's delivery log. A secret never reaches the browser: it is printed once on a terminal
(`boi partners secret NAME`)."""

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from boi_notify.domain.partners import InvalidPartner
from boi_notify.service.partners import Partners
from boi_notify.settings import Settings
from boi_shared.console import ConsoleSession, Operator

PREFIX = "/consola/socios"
MAX_FORM_BYTES = 8192


def partners_router(partners: Partners, session: ConsoleSession, settings: Settings) -> APIRouter:
    env = Environment(loader=PackageLoader("boi_notify", "templates"), autoescape=select_autoescape(["html"]))
    overlap = timedelta(hours=settings.webhook_rotation_hours)
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def page(template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(f"console/{template}.html").render(**ctx)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    async def admin(request: Request) -> Operator | HTMLResponse:
        operator = await session.operator(request)
        if operator is None:
            return page(
                "message",
                401,
                title="Inicia sesión",
                message="Inicia sesión en la consola (/consola/entrar) y vuelve a esta página.",
            )
        if operator.role != "admin":
            return page(
                "message",
                403,
                title="Solo administradores",
                message="Esta página es solo para administradores.",
            )
        return operator

    async def posted(request: Request) -> tuple[Operator, dict[str, str]] | HTMLResponse:
        operator = await admin(request)
        if isinstance(operator, HTMLResponse):
            return operator
        raw = (await request.body())[:MAX_FORM_BYTES].decode("utf-8", "replace")
        values = {k: v[0] for k, v in parse_qs(raw).items()}
        if not values.get("csrf") or values["csrf"] != operator.csrf:
            return page(
                "message",
                403,
                title="Formulario caducado",
                message="El formulario caducó. Vuelve a cargar la página.",
            )
        return operator, values

    def back(notice: str, path: str = "") -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}{path}?aviso={quote(notice)}", status_code=303)

    @router.get("", response_class=HTMLResponse)
    async def listing(request: Request, aviso: str = "") -> Response:
        operator = await admin(request)
        if isinstance(operator, HTMLResponse):
            return operator
        return page(
            "partners", endpoints=await partners.endpoints(), csrf=operator.csrf, notice=aviso[:300], error=""
        )

    @router.post("", response_class=HTMLResponse)
    async def add(request: Request) -> Response:
        got = await posted(request)
        if isinstance(got, HTMLResponse):
            return got
        operator, values = got
        filters = values.get("filtro", "").split()
        try:
            endpoint = await partners.add(values.get("nombre", "").strip(), values.get("url", ""), filters)
        except InvalidPartner as exc:
            return page(
                "partners",
                400,
                endpoints=await partners.endpoints(),
                csrf=operator.csrf,
                notice="",
                error=str(exc),
            )
        return back(
            f"Registrado {endpoint.name}. Su secreto se entrega en una terminal del servidor: "
            f"boi partners secret {endpoint.name}"
        )

    @router.post("/{name}/{action}", response_class=HTMLResponse)
    async def act(request: Request, name: str, action: str) -> Response:
        got = await posted(request)
        if isinstance(got, HTMLResponse):
            return got
        try:
            if action in ("activar", "desactivar"):
                await partners.set_enabled(name, action == "activar")
                return back(f"{name}: {'activado' if action == 'activar' else 'desactivado'}.")
            if action == "rotar":
                await partners.rotate(name, overlap, shown=False)
                return back(
                    f"{name}: secreto nuevo (el anterior firma también durante "
                    f"{settings.webhook_rotation_hours:g} h). Entrégalo con: boi partners secret {name}"
                )
        except InvalidPartner as exc:
            return back(str(exc))
        return page("message", 404, title="No existe", message="Esa acción no existe.")

    @router.get("/{name}", response_class=HTMLResponse)
    async def delivery_log(request: Request, name: str) -> Response:
        operator = await admin(request)
        if isinstance(operator, HTMLResponse):
            return operator
        try:
            endpoint, rows = await partners.get(name), await partners.log(name, 100)
        except InvalidPartner as exc:
            return page("message", 404, title="No existe", message=str(exc))
        return page("log", endpoint=endpoint, rows=rows)

    return router
