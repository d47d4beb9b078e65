"""HTTP surfaces of the catalog: the public site, feeds and JSON API, and the curation console."""

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from boi_catalog.ports import (
    Announce,
    CallRepository,
    ConsoleUserStore,
    EditorialStore,
    ImpressionSink,
    Indexer,
    SearchIndex,
    ViewCounts,
)
from boi_catalog.service.indexing import DirectIndexer
from boi_shared.events import BulletinPublished
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
    """What the routes need, built once in `create_app`. `settings` is the service's `Settings`
    (None in tests of the bare site: no console users, default limits); `publish` announces a
    `CallPublished` the curation use cases return (None: the console cannot publish); `indexer` is the
    service's index queue, through which curation writes reach the index in order with the consumer's
    (None: curation writes to `index` at once through a `DirectIndexer`, in tests of the bare site);
    `users` holds the console users added at run time (None: only those of settings); `editorial` the
    day plans, bulletins and social outbox, `views` the views per call from metrics (None: no editorial
    pages); `publish_bulletin` hands an approved bulletin to notify (None: the bulletin is not emailed)."""

    repository: CallRepository
    index: SearchIndex
    impressions: ImpressionSink
    public_base_url: str
    settings: Any = None
    publish: Announce | None = None
    indexer: Indexer | None = None
    users: ConsoleUserStore | None = None
    editorial: EditorialStore | None = None
    views: ViewCounts | None = None
    visits: Any = None  # web.visits.Visits; None: bots filtered, no visitor ids (tests of the bare site)
    publish_bulletin: Callable[[BulletinPublished], Awaitable[None]] | None = None

    @property
    def index_writer(self) -> Indexer:
        return self.indexer if self.indexer is not None else DirectIndexer(self.repository, self.index)


def mount(app: FastAPI, ctx: WebContext) -> None:
    """Add the API, the feeds, the site, the console and the static files to `app` (built by
    `service_app(..., rate_limited=True)`: every public route is rate limited per client)."""
    from boi_catalog import branding
    from boi_catalog.branding import Brand
    from boi_catalog.settings import Settings
    from boi_catalog.web.admin_api import admin_api_router
    from boi_catalog.web.api import api_router
    from boi_catalog.web.beacon import beacon_router
    from boi_catalog.web.bulletin_site import brand_router
    from boi_catalog.web.console import console_router, login_on_401, sessions_for
    from boi_catalog.web.embed import embed_router
    from boi_catalog.web.feeds import feeds_router
    from boi_catalog.web.public_search import PublicSearch
    from boi_catalog.web.reports import ReportGuard, reports_router
    from boi_catalog.web.site import site_router
    from boi_catalog.web.visits import Visits

    visits = ctx.visits or Visits(ctx.public_base_url, None)

    search = PublicSearch.from_settings(ctx.settings or Settings())
    sessions = sessions_for(ctx)
    guard = ReportGuard.for_context(ctx)
    app.include_router(beacon_router(ctx, visits))
    app.include_router(api_router(ctx, search))
    app.include_router(feeds_router(ctx, search))
    app.include_router(site_router(ctx, search, guard, visits))
    app.include_router(reports_router(ctx, sessions, guard))
    app.include_router(console_router(ctx, sessions))
    app.include_router(admin_api_router(ctx, sessions))
    branding.use(Brand.from_settings(ctx.settings))
    app.include_router(brand_router())
    app.include_router(embed_router(ctx, search))
    if ctx.editorial is not None:
        from boi_catalog.web.bulletin_site import bulletin_router
        from boi_catalog.web.editorial_console import editorial_router

        app.include_router(editorial_router(ctx, sessions))
        app.include_router(bulletin_router(ctx))
    app.add_exception_handler(StarletteHTTPException, login_on_401)
    if ctx.users is not None:
        from boi_catalog.web.users import StoredUsers, StoredUsersMiddleware

        app.add_middleware(StoredUsersMiddleware, users=StoredUsers(ctx.users, sessions))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
