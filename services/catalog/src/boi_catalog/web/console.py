"""The curation console (`/consola`): sign in, review queue, call editor (edit, approve, reject, withdraw)
and the audit log. Curators review; admins also withdraw and audit. The day's plan, the weekly bulletin
and the social outbox are in `editorial_console`."""

from collections.abc import Awaitable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from boi_catalog.service import curation
from boi_catalog.web import WebContext, is_call_id
from boi_catalog.web.auth import LOGIN_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Sessions, User
from boi_catalog.web.curation import changes_from, field_rows, form
from boi_catalog.web.render import Renderer
from boi_catalog.web.security import RateLimiter
from boi_catalog.web.throttle import LoginThrottle

PREFIX = "/consola"


def sessions_for(ctx: WebContext) -> Sessions:
    s = ctx.settings
    users = s.console_users.get_secret_value() if s else ""
    secret = s.session_secret.get_secret_value() if s else ""
    return Sessions(users, secret, ctx.public_base_url.startswith("https://"))


_RENDER = Renderer()


async def login_on_401(request: Request, exc: Exception) -> Response:
    """Console pages answer 401/403 with a page a person can act on; everything else as FastAPI does."""
    assert isinstance(exc, StarletteHTTPException)
    if not request.url.path.startswith(PREFIX) or exc.status_code not in (401, 403, 404):
        return await http_exception_handler(request, exc)
    template = "console/login.html" if exc.status_code == 401 else "message.html"
    response = _RENDER(
        template,
        exc.status_code,
        title="Consola",
        message=str(exc.detail),
        csrf="",
        error="sesion",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def console_router(ctx: WebContext, sessions: Sessions | None = None) -> APIRouter:
    sessions = sessions or sessions_for(ctx)
    render = _RENDER
    throttle = LoginThrottle()
    clients = RateLimiter.from_settings(ctx.settings)  # only its client address (trusted proxies)
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    def page(name: str, user: User, status_code: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("notice", "")
        response = render(name, status_code, user=user, **values)
        response.headers["Cache-Control"] = "no-store"
        return response

    async def posted(request: Request, role: str = "curator") -> tuple[User, dict[str, str]]:
        user = sessions.require(request, "admin" if role == "admin" else "curator")
        values = await form(request)
        sessions.check_csrf(user, values.get("csrf", ""))
        return user, values

    def back(path: str, notice: str = "") -> RedirectResponse:
        suffix = f"?aviso={quote(notice)}" if notice else ""
        return RedirectResponse(f"{PREFIX}{path}{suffix}", status_code=303)

    @router.get("/entrar", response_class=HTMLResponse)
    async def login_form(error: str = "", status_code: int = 200) -> HTMLResponse:
        value, cookie = sessions.login_token()
        response = render("console/login.html", status_code, csrf=value, error=error)
        response.set_cookie(
            LOGIN_COOKIE,
            cookie,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=sessions.secure,
            path=PREFIX,
        )
        return response

    @router.post("/entrar")
    async def login(request: Request) -> Response:
        values = await form(request)
        if not sessions.login_token_ok(request, values.get("csrf", "")):
            return await login_form("caducado", 403)
        name, client = values.get("usuario", ""), clients.client(request)
        wait = throttle.wait(name, client)
        if wait > 0:  # refused before hashing: a flood of guesses costs no CPU either
            message, retry_after = throttle.message(wait)
            limited = render(
                "console/login.html", 429, csrf=values.get("csrf", ""), error="limitado", message=message
            )
            limited.headers["Retry-After"] = retry_after
            return limited
        user = await sessions.authenticate(name, values.get("clave", ""))
        if user is None:
            throttle.failed(name, client)
            return await login_form("credenciales", 401)
        throttle.succeeded(name, client)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            sessions.cookie(user),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="strict",
            secure=sessions.secure,
            path="/",
        )
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    @router.post("/salir")
    async def logout(request: Request) -> Response:
        await posted(request)
        response = RedirectResponse(f"{PREFIX}/entrar", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/sesion", include_in_schema=False)
    async def session_check(request: Request) -> JSONResponse:
        """Asked by notify and metrics, which serve console pages of their own, about a signed-in user they
        do not know from settings (one added with `boi console user add`): who it is, or 401."""
        user = sessions.user(request)
        if user is None:
            return JSONResponse({"detail": "sin sesión"}, 401, headers={"Cache-Control": "no-store"})
        return JSONResponse({"u": user.name, "r": user.role}, headers={"Cache-Control": "no-store"})

    @router.get("/", response_class=HTMLResponse)
    async def queue(request: Request, page_no: int = 1, aviso: str = "") -> HTMLResponse:
        user = sessions.require(request)
        offset = (max(page_no, 1) - 1) * 20
        calls = await curation.review_queue(ctx.repository, limit=20, offset=offset)
        rows = [(c, field_rows(c)) for c in calls]
        return page("console/queue.html", user, rows=rows, notice=aviso, page_no=max(page_no, 1))

    @router.get("/convocatorias/{call_id}", response_class=HTMLResponse)
    async def editor(request: Request, call_id: str, aviso: str = "") -> HTMLResponse:
        user = sessions.require(request)
        call = await curation.get_call(ctx.repository, call_id) if is_call_id(call_id) else None
        if call is None:
            raise HTTPException(status_code=404, detail="No existe esa convocatoria.")
        return page("console/editor.html", user, call=call, rows=field_rows(call), notice=aviso)

    async def done(call_id: str, action: Awaitable[object]) -> Response:
        """Back to the editor, saying whether the action was done (a refusal in the curator's words)."""
        try:
            await action
        except (ValueError, LookupError) as exc:
            return back(f"/convocatorias/{call_id}", f"No se pudo: {exc}"[:200])
        return back(f"/convocatorias/{call_id}", "Hecho.")

    ports, base_url = (ctx.repository, ctx.index_writer, ctx.publish), ctx.public_base_url

    @router.post("/convocatorias/{call_id}/editar")
    async def edit(request: Request, call_id: str) -> Response:
        user, values = await posted(request, "curator")
        if (current := await curation.get_call(ctx.repository, call_id)) is None:
            raise HTTPException(status_code=404, detail="No existe esa convocatoria.")
        changes = changes_from(values, current)
        return await done(call_id, curation.edit_call(*ports, call_id, changes, user.name, base_url=base_url))

    @router.post("/convocatorias/{call_id}/aprobar")
    async def approve(request: Request, call_id: str) -> Response:
        user, _ = await posted(request, "curator")
        return await done(call_id, curation.approve(*ports, call_id, user.name, base_url=base_url))

    @router.post("/convocatorias/{call_id}/rechazar")
    async def reject(request: Request, call_id: str) -> Response:
        user, values = await posted(request, "curator")
        reason = values.get("motivo", "").strip()
        return await done(call_id, curation.reject(*ports, call_id, user.name, reason, base_url=base_url))

    @router.post("/convocatorias/{call_id}/retirar")
    async def withdraw(request: Request, call_id: str) -> Response:
        user, values = await posted(request, "admin")
        reason = values.get("motivo", "").strip()
        return await done(call_id, curation.withdraw(*ports, call_id, user.name, reason, base_url=base_url))

    @router.get("/auditoria", response_class=HTMLResponse)
    async def audit(request: Request) -> HTMLResponse:
        user = sessions.require(request, "admin")
        entries = await curation.audit_log(ctx.repository, limit=200)
        return page("console/audit.html", user, entries=[jsonable_encoder(e) for e in entries])

    return router
