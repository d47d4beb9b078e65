"""What notify's public pages share: the Jinja2 environment, a page, a message page, the page for a bad or
expired link, and reading a signed link's subject before acting on it."""

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from boi_notify.domain.tokens import Purpose, TokenError, Tokens
from boi_shared.branding import Brand


class Pages:
    """Pages in the entity's brand (`BOI_BRAND_*`, as on the site): its name in every title, the logo the
    site serves, its colours, contact and data controller."""

    def __init__(self, tokens: Tokens, base: str, site_url: str, brand: Brand | None = None) -> None:
        self.env = Environment(
            loader=PackageLoader("boi_notify", "templates"), autoescape=select_autoescape(["html"])
        )
        self.tokens, self.base, self.site_url = tokens, base, site_url
        self.brand = brand or Brand()
        self.logo_url = f"{base}/marca/logo" if self.brand.logo else ""  # served by notify: img-src 'self'
        loader = self.env.loader
        css = loader.get_source(self.env, "pages/pages.css")[0] if loader else ""
        self.stylesheet = css.replace("#0f3d6e", self.brand.primary)  # validated #rrggbb, never markup

    def page(self, template: str, status: int = 200, **ctx: object) -> HTMLResponse:
        html = self.env.get_template(f"pages/{template}.html").render(
            base=self.base, site_url=self.site_url, brand=self.brand, logo_url=self.logo_url, **ctx
        )
        return HTMLResponse(html, status_code=status)  # the shared strict CSP: styles from estilo.css

    def message(self, title: str, lines: list[str], status: int = 200, **ctx: object) -> HTMLResponse:
        return self.page("message", status, title=title, lines=lines, notice=status >= 400, **ctx)

    def bad_link(self, exc: TokenError) -> HTMLResponse:
        if exc.expired:
            return self.message(
                "El enlace venció",
                [
                    "Este enlace ya no es válido porque venció.",
                    "Vuelve a suscribirte o pide un enlace nuevo.",
                ],
                410,
            )
        return self.message(
            "El enlace no es válido",
            ["Este enlace está incompleto o fue modificado. Cópialo completo desde el correo."],
            400,
        )

    async def read(
        self, request: Request, purpose: Purpose, act: Callable[[str], Awaitable[HTMLResponse]]
    ) -> HTMLResponse:
        try:
            subject = self.tokens.read(purpose, request.query_params.get("t", ""))
        except TokenError as exc:
            return self.bad_link(exc)
        return await act(subject)
