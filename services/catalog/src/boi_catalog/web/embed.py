"""Search for partner sites: `/embed` is a small results page made to live in an iframe, filtered by type
(`type`), topic words (`q`) and eligibility, with a search box; `/embed.js` is the one-line alternative
(`<script src="https://…/embed.js" data-type="beca" data-q="salud" async></script>` puts that iframe where
the tag is). Searches run on the server: no key reaches the page, no cookie is set, no third-party
script; links open the call's page with `utm_source=embed`. Results shown count as `search_result`
impressions, channel `embed`. Which sites may frame it: `BOI_EMBED_FRAME_ANCESTORS` (default any)."""

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import FileResponse, HTMLResponse, Response

from boi_catalog.domain.public import impressions
from boi_catalog.web import STATIC_DIR, UNAVAILABLE_ES, WebContext
from boi_catalog.web.present import card_from_hit
from boi_catalog.web.public_search import PublicSearch
from boi_catalog.web.query import parse
from boi_catalog.web.render import Renderer
from boi_catalog.web.security import security_headers
from boi_shared.errors import TransientError


def embed_headers(frame_ancestors: str) -> dict[str, str]:
    headers = security_headers()
    csp = headers["Content-Security-Policy"].replace(
        "frame-ancestors 'none'", f"frame-ancestors {frame_ancestors}"
    )
    return {**headers, "Content-Security-Policy": csp}


def embed_router(ctx: WebContext, search: PublicSearch) -> APIRouter:
    ancestors = (getattr(ctx.settings, "embed_frame_ancestors", "") or "*").strip()
    render = Renderer()
    render.headers = embed_headers(ancestors)
    base = ctx.public_base_url.rstrip("/")
    router = APIRouter(include_in_schema=False)

    @router.get("/embed", response_class=HTMLResponse)
    async def embed(
        background: BackgroundTasks,
        q: str = "",
        kind: str = Query("", alias="type"),
        eligibility: str = "",
        limit: int = 5,
    ) -> HTMLResponse:
        params = parse(
            q, kind, eligibility, sort="cierra_pronto" if not q else "", limit=min(max(limit, 1), 10)
        )
        try:
            found = await search.search(params, facets=False)
        except TransientError:
            return render("embed.html", 503, p=params, cards=[], total=0, error=UNAVAILABLE_ES, base=base)
        background.add_task(
            ctx.impressions.record, impressions([h["id"] for h in found.hits], "search_result", "embed")
        )
        cards = [card_from_hit(h) for h in found.hits]
        return render("embed.html", p=params, cards=cards, total=found.total, error=None, base=base)

    @router.get("/embed.js")
    async def embed_js() -> Response:
        headers = {"Cache-Control": "max-age=3600"}
        return FileResponse(STATIC_DIR / "embed.js", media_type="application/javascript", headers=headers)

    return router
