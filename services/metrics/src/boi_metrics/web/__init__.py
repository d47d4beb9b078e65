"""Pages of the metrics service: the console's dashboard (behind the catalog's signed session), the public
statistics and impact ledger, and the open data. Rendered on the server with Jinja2; charts are SVG."""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined

from boi_metrics.ports import OutcomeLedger
from boi_metrics.service import Stores
from boi_metrics.settings import Settings
from boi_shared.branding import Brand, logo_response
from boi_shared.web import csp

STATIC_DIR = Path(__file__).parent / "static"
# The project's one strict policy (`boi_shared.web.csp`): the pages have no script and no inline style.
HEADERS = {
    "Content-Security-Policy": csp(),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def percent(value: float | None) -> str:
    """A rate as a Spanish percentage; — when there is nothing to divide by."""
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


class Renderer:
    """Pages in the entity's brand (`BOI_BRAND_*`): its name in every title and header, its logo and
    colours (`/marca/logo`, `/marca.css`, served here: the policy allows images and styles of this origin
    only), its contact and data controller in the footer."""

    def __init__(self, brand: Brand | None = None) -> None:
        self.env = Environment(
            loader=PackageLoader("boi_metrics.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["pct"] = percent
        self.brand = brand or Brand()
        self.env.globals["brand"] = self.brand

    def __call__(self, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def mount_web(app: FastAPI, settings: Settings, stores: Stores, outcomes: OutcomeLedger) -> None:
    from boi_metrics.web.dashboard import dashboard_router
    from boi_metrics.web.public import public_router
    from boi_metrics.web.ranges import DayRange
    from boi_metrics.web.session import ConsoleSession

    render, ranges = Renderer(Brand.from_settings(settings)), DayRange(settings.metrics_max_range_days)
    session = ConsoleSession(
        settings.console_users.get_secret_value(),
        settings.session_secret.get_secret_value(),
        settings.catalog_url,
    )
    app.include_router(dashboard_router(stores, outcomes, session, render, ranges))
    app.include_router(public_router(stores, outcomes, render, ranges))
    app.include_router(brand_router(render.brand))
    app.mount("/metricas-static", StaticFiles(directory=STATIC_DIR), name="metrics-static")


def brand_router(brand: Brand) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/marca.css")
    async def brand_css() -> Response:
        return Response(brand.css(), media_type="text/css", headers={"Cache-Control": "max-age=300"})

    @router.get("/marca/logo")
    async def brand_logo() -> Response:
        return logo_response(brand)

    return router
