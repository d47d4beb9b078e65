"""Pages of the metrics service: the console's dashboard (behind the catalog's signed session), the public
statistics and impact ledger, and the open data. Rendered on the server with Jinja2; charts are SVG."""

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, StrictUndefined

from boi_metrics.ports import OutcomeLedger
from boi_metrics.service import Stores
from boi_metrics.settings import Settings
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
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("boi_metrics.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["pct"] = percent

    def __call__(self, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def mount_web(app: FastAPI, settings: Settings, stores: Stores, outcomes: OutcomeLedger) -> None:
    from boi_metrics.web.dashboard import dashboard_router
    from boi_metrics.web.public import public_router
    from boi_metrics.web.ranges import DayRange
    from boi_metrics.web.session import ConsoleSession

    render, ranges = Renderer(), DayRange(settings.metrics_max_range_days)
    session = ConsoleSession(
        settings.console_users.get_secret_value(), settings.session_secret.get_secret_value()
    )
    app.include_router(dashboard_router(stores, outcomes, session, render, ranges))
    app.include_router(public_router(stores, outcomes, render, ranges))
    app.mount("/metricas-static", StaticFiles(directory=STATIC_DIR), name="metrics-static")
