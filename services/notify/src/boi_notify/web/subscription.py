"""Notify's public pages under /suscripcion: the form, confirm, one-click unsubscribe (RFC 8058: GET shows
a button, POST acts, so mail scanners following links unsubscribe nobody), ask for my data, privacy (the
manage pages are in `web_manage`). Thin: each route parses, calls one use case and renders a Spanish page."""

import hashlib
import secrets
import time
from collections.abc import Sequence
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from boi_notify.domain.mail import MailDeferred
from boi_notify.domain.subscription import InvalidSubscription, Topic, consent_text
from boi_notify.domain.tokens import Purpose, Tokens
from boi_notify.service.subscriptions import Subscriptions
from boi_notify.web.manage import manage_router
from boi_notify.web.pages import Pages
from boi_shared.branding import Brand, logo_response
from boi_shared.taxonomy import CALL_TYPE_LABELS_ES, ODS_LABELS_ES

CHECK_MAIL = [
    "Si la dirección es correcta, te llegará un correo con un enlace para confirmar la suscripción.",
    "No te enviaremos convocatorias hasta que confirmes. Si no lo ves, revisa el correo no deseado.",
]
SMTP_DOWN = [
    "No pudimos enviar el correo en este momento. Nada quedó a medias: inténtalo de nuevo en unos minutos."
]


class ClientLimit:
    """Requests a minute per client, in memory per replica; clients told apart by a salted hash of their
    address (the salt changes every start), never by the address itself."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute, self.salt = per_minute, secrets.token_bytes(16)
        self.window, self.counts = -1, dict[str, int]()

    def allow(self, client: str) -> bool:
        if self.per_minute <= 0:
            return True
        window = int(time.time() // 60)
        if window != self.window:
            self.window, self.counts = window, {}
        key = hashlib.sha256(self.salt + client.encode()).hexdigest()[:16]
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key] <= self.per_minute


def router(
    use_cases: Subscriptions,
    tokens: Tokens,
    base: str,
    site_url: str,
    controller: str,
    per_minute: int,
    default_reminders: Sequence[int] = (7, 1),
    brand: Brand | None = None,
) -> APIRouter:
    limit = ClientLimit(per_minute)
    api = APIRouter(prefix="/suscripcion", include_in_schema=False)

    pages = Pages(tokens, base, site_url, brand)
    consent = consent_text(pages.brand.entity, pages.brand.name)
    page, message, read = pages.page, pages.message, pages.read

    @api.get("/marca/logo")
    async def brand_logo() -> Response:
        return logo_response(pages.brand)

    @api.get("/estilo.css")
    async def style() -> Response:
        return Response(pages.stylesheet, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    async def form(request: Request) -> dict[str, str]:
        body = (await request.body()).decode("utf-8", errors="replace")[:10_000]
        return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}

    def form_page(
        error: str = "", status: int = 200, email: str = "", topic: Topic = Topic()
    ) -> HTMLResponse:
        return page(
            "form",
            status,
            title="Suscribirme",
            error=error,
            email=email,
            topic=topic,
            consent=consent,
            types=list(CALL_TYPE_LABELS_ES.items()),
            goals=list(ODS_LABELS_ES.items()),
        )

    @api.get("")
    async def subscribe_form(
        q: str = "",
        type: str = "",
        eligibility: str = "",
        language: str = "",
        sector: str = "",
        ods: str = "",
    ) -> HTMLResponse:
        try:
            topic = Topic.parse(q, type, eligibility, language, sector, ods)
        except InvalidSubscription:
            topic = Topic()
        return form_page(topic=topic)

    @api.post("")
    async def subscribe(request: Request) -> HTMLResponse:
        if not limit.allow(request.client.host if request.client else "?"):
            return message(
                "Demasiadas solicitudes",
                ["Recibimos muchas solicitudes desde tu conexión. Espera un minuto e inténtalo de nuevo."],
                429,
            )
        values = await form(request)
        email = values.get("email", "")
        try:
            topic = Topic.parse(
                values.get("q", ""),
                values.get("type", ""),
                values.get("eligibility", ""),
                values.get("language", ""),
                values.get("sector", ""),
                values.get("ods", ""),
            )
            await use_cases.subscribe(
                email, topic, values.get("frecuencia", ""), values.get("acepto") == "si"
            )
        except InvalidSubscription as exc:
            return form_page(str(exc), 422, email=email[:254])
        except MailDeferred:
            return message("Inténtalo en unos minutos", SMTP_DOWN, 503)
        return message("Revisa tu correo", CHECK_MAIL)

    @api.get("/confirmar")
    async def confirm_page(request: Request) -> HTMLResponse:
        async def show(_: str) -> HTMLResponse:
            return message(
                "Confirma tu suscripción",
                [consent],
                action=f"{base}/confirmar?{request.url.query}",
                button="Confirmar mi suscripción",
            )

        return await read(request, Purpose.CONFIRM, show)

    @api.post("/confirmar")
    async def confirm(request: Request) -> HTMLResponse:
        async def act(subscriber_id: str) -> HTMLResponse:
            if await use_cases.confirm(subscriber_id) is None:
                return message(
                    "Esta suscripción ya no existe",
                    ["Pasaron más de 7 días o la borraste. Puedes suscribirte de nuevo."],
                    404,
                )
            return message(
                "¡Listo! Suscripción confirmada",
                ["Te enviaremos las convocatorias que coincidan con tu tema."],
                link=use_cases.links.manage(subscriber_id),
                link_text="Gestionar mis suscripciones",
            )

        return await read(request, Purpose.CONFIRM, act)

    @api.get("/baja")
    async def unsubscribe_page(request: Request) -> HTMLResponse:
        async def show(_: str) -> HTMLResponse:
            return message(
                "Darte de baja",
                ["Deja de recibir los correos de esta suscripción. Si es la última, borramos tu correo."],
                action=f"{base}/baja?{request.url.query}",
                button="Darme de baja",
            )

        return await read(request, Purpose.UNSUBSCRIBE, show)

    @api.post("/baja")
    async def unsubscribe(request: Request) -> HTMLResponse:
        async def act(subscription_id: str) -> HTMLResponse:
            await use_cases.unsubscribe(subscription_id)
            return message("Te diste de baja", ["No recibirás más correos de esta suscripción."])

        return await read(request, Purpose.UNSUBSCRIBE, act)

    @api.post("/datos")
    async def request_data(request: Request) -> HTMLResponse:
        if not limit.allow(request.client.host if request.client else "?"):
            return message("Demasiadas solicitudes", ["Espera un minuto e inténtalo de nuevo."], 429)
        try:
            await use_cases.request_data((await form(request)).get("email", ""))
        except InvalidSubscription as exc:
            return form_page(str(exc), 422)
        except MailDeferred:
            return message("Inténtalo en unos minutos", SMTP_DOWN, 503)
        return message(
            "Revisa tu correo",
            ["Si tenemos datos de esa dirección, te llegará un enlace para verlos o borrarlos."],
        )

    @api.get("/privacidad")
    async def privacy() -> HTMLResponse:
        return page("privacy", title="Aviso de privacidad", controller=controller)

    api.include_router(manage_router(use_cases, pages, default_reminders))
    return api
