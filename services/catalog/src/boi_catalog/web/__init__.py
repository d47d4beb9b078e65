"""HTTP surfaces of the catalog: the public JSON API and the server-rendered public site."""

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from boi_catalog.ports import CallRepository, ImpressionSink, SearchIndex
from boi_shared.ids import CALL_ID_PATTERN

STATIC_DIR = Path(__file__).parent / "static"
UNAVAILABLE_ES = "El catálogo no está disponible en este momento. Intenta de nuevo en unos minutos."
NOT_FOUND_ES = (
    "No encontramos esa convocatoria. Puede que el enlace esté mal escrito o que ya no esté publicada."
)


def is_call_id(value: str) -> bool:
    return re.fullmatch(CALL_ID_PATTERN, value) is not None


@dataclass(frozen=True)
class WebContext:
    """What the routes need, built once in `create_app`."""

    repository: CallRepository
    index: SearchIndex
    impressions: ImpressionSink
    public_base_url: str


def mount(app: FastAPI, ctx: WebContext) -> None:
    """Add the API, the site and its static files to `app`."""
    from boi_catalog.web.api import api_router
    from boi_catalog.web.site import site_router

    app.include_router(api_router(ctx))
    app.include_router(site_router(ctx))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
