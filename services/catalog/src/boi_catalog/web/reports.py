""" "Reportar un problema" on each call page, and the console's "reportes atendidos".

The public form needs no account and asks for no personal data. It is CSRF-safe without a session: the
call page sets a random value in an HttpOnly, SameSite=Strict cookie and signs it with the call id into the
form's hidden token (a signed double-submit token); a post without both, from another site, or older than
`TOKEN_SECONDS` is refused. Reports are rate limited per client (`security.RateLimiter`, no IP stored).
"""

import hmac
import math
import secrets
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from boi_catalog.domain.lifecycle import TransitionError
from boi_catalog.domain.reports import MAX_NOTE, REPORT_KINDS, ReportError
from boi_catalog.service import reports
from boi_catalog.web import NOT_FOUND_ES, UNAVAILABLE_ES, WebContext, is_call_id
from boi_catalog.web.auth import Sessions
from boi_catalog.web.curation import form
from boi_catalog.web.render import Renderer
from boi_catalog.web.security import RateLimiter
from boi_shared.errors import TransientError

COOKIE = "boi_reporte"
TOKEN_SECONDS = 4 * 3600
MAX_BODY = 8 * 1024
_RENDER = Renderer()


class ReportGuard:
    """Issues and checks the report form's signed double-submit token."""

    def __init__(self, secret: str, secure: bool) -> None:
        self._signer = URLSafeTimedSerializer(secret or secrets.token_hex(32), salt="boi-citizen-report")
        self.secure = secure

    @classmethod
    def for_context(cls, ctx: WebContext) -> "ReportGuard":
        secret = ctx.settings.session_secret.get_secret_value() if ctx.settings else ""
        return cls(secret, ctx.public_base_url.startswith("https://"))

    def issue(self, request: Request, call_id: str) -> tuple[str, str]:
        """(form token, cookie value): the visitor's cookie value is reused while it is valid."""
        nonce = request.cookies.get(COOKIE, "")
        if not (16 <= len(nonce) <= 64 and nonce.replace("-", "").replace("_", "").isalnum()):
            nonce = secrets.token_urlsafe(24)
        return self._signer.dumps([call_id, nonce]), nonce

    def set_cookie(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            COOKIE,
            nonce,
            max_age=TOKEN_SECONDS,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/convocatorias",
        )

    def valid(self, request: Request, call_id: str, token: str) -> bool:
        try:
            signed_call, nonce = self._signer.loads(token, max_age=TOKEN_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return False
        cookie = request.cookies.get(COOKIE, "")
        return signed_call == call_id and bool(cookie) and hmac.compare_digest(str(nonce), cookie)


def report_form(guard: ReportGuard, request: Request, call_id: str) -> dict[str, Any]:
    """The values `_report.html` needs, and the cookie to set on the page's response."""
    token, nonce = guard.issue(request, call_id)
    return {"token": token, "nonce": nonce, "kinds": list(REPORT_KINDS.items()), "max_note": MAX_NOTE}


async def bounded_form(request: Request) -> dict[str, str] | None:
    """The urlencoded form (last value of each name wins), or None past `MAX_BODY` bytes, whatever the
    request claims in Content-Length (the body is read in chunks and dropped once too long)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    text = bytes(body).decode("utf-8", errors="replace")
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _page(status: int, title: str, message: str, **headers: str) -> HTMLResponse:
    response = _RENDER("message.html", status, title=title, message=message)
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def reports_router(ctx: WebContext, sessions: Sessions, guard: ReportGuard) -> APIRouter:
    s = ctx.settings
    limiter = RateLimiter(
        s.report_rate_per_minute if s else 1,
        s.report_rate_burst if s else 5,
        s.trusted_proxies if s else (),
    )
    router = APIRouter(include_in_schema=False)

    @router.post("/convocatorias/{call_id}/reportar")
    async def report(call_id: str, request: Request) -> Response:
        if not is_call_id(call_id):
            return _page(404, "Convocatoria no encontrada", NOT_FOUND_ES)
        wait = limiter.take(limiter.client(request))
        if wait > 0:
            retry = str(max(1, math.ceil(wait)))
            message = (
                "Recibimos varios reportes desde tu conexión. Espera unos minutos y vuelve a intentarlo."
            )
            return _page(429, "Demasiados reportes", message, **{"Retry-After": retry})
        values = await bounded_form(request)
        if values is None:
            return _page(413, "Reporte demasiado largo", f"La nota admite hasta {MAX_NOTE} caracteres.")
        if not guard.valid(request, call_id, values.get("token", "")):
            message = (
                "El formulario caducó o no viene de esta página. "
                "Vuelve a cargar la convocatoria e inténtalo de nuevo."
            )
            return _page(403, "No pudimos recibir el reporte", message)
        try:
            await reports.report_call(
                ctx.repository, ctx.index_writer, call_id, values.get("motivo", ""), values.get("nota", "")
            )
        except ReportError as exc:
            return _page(422, "Revisa tu reporte", str(exc))
        except (LookupError, TransitionError):
            return _page(404, "Convocatoria no encontrada", NOT_FOUND_ES)
        except TransientError:
            return _page(503, "Servicio no disponible", UNAVAILABLE_ES)
        message = (
            "Gracias. El equipo curador revisará la convocatoria con tu nota; "
            "mientras tanto sigue publicada tal como está."
        )
        return _page(200, "Reporte recibido", message)

    @router.post("/consola/convocatorias/{call_id}/reportes-atendidos")
    async def resolve(call_id: str, request: Request) -> Response:
        user = sessions.require(request, "curator")
        values = await form(request)
        sessions.check_csrf(user, values.get("csrf", ""))
        if not is_call_id(call_id):
            return _page(404, "Convocatoria no encontrada", NOT_FOUND_ES)
        try:
            await reports.resolve_reports(
                ctx.repository, ctx.index_writer, call_id, user.name, values.get("nota", "")
            )
        except LookupError:
            return _page(404, "Convocatoria no encontrada", NOT_FOUND_ES)
        except TransitionError as exc:
            return _page(409, "Consola", str(exc))
        return RedirectResponse(
            f"/consola/convocatorias/{call_id}?aviso=Reportes%20atendidos", status_code=303
        )

    return router
