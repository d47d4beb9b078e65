"""Jinja2 templates (autoescaping on, undefined values are errors) and HTML responses with strict headers."""

from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from boi_catalog.branding import CurrentBrand
from boi_catalog.web.security import origin, security_headers


def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("boi_catalog.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["brand"] = CurrentBrand()
    return env


class Renderer:
    def __init__(self, connect_origin: str = "", notify_url: str = "") -> None:
        self.env = templates()
        # The subscription form (`_subscribe.html`) posts to notify; without its URL no form is shown.
        self.env.globals["notify_url"] = notify_url.rstrip("/")
        self.headers = security_headers(connect_origin, origin(notify_url) if notify_url else "")

    def __call__(self, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=self.headers)
