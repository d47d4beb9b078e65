"""The public site, rendered on the server (search engines index it, phones need no script)."""

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

from boi_catalog.domain.public import impressions, public_url
from boi_catalog.domain.search import SearchPage
from boi_catalog.service import find_public_call, search_calls
from boi_catalog.web import NOT_FOUND_ES, UNAVAILABLE_ES, WebContext, is_call_id
from boi_catalog.web.present import card, date_es, safe_href
from boi_shared.errors import TransientError
from boi_shared.taxonomy import CALL_TYPE_LABELS_ES, CallType

_TYPE_VALUES = frozenset(t.value for t in CallType)
PAGE_SIZE = 20
MAX_PAGE = 50
# The site loads nothing but its own stylesheet: no scripts, no third parties.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def templates() -> Environment:
    return Environment(
        loader=PackageLoader("boi_catalog.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def site_router(ctx: WebContext) -> APIRouter:
    env = templates()
    router = APIRouter(include_in_schema=False)

    def render(name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = env.get_template(name).render(**values)
        return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)

    @router.get("/", response_class=HTMLResponse)
    async def home(
        background: BackgroundTasks,
        q: str = "",
        kind: str = Query("", alias="type"),
        page: int = 1,
    ) -> HTMLResponse:
        q = q.strip()[:200]
        call_type = CallType(kind) if kind in _TYPE_VALUES else None
        page = min(max(page, 1), MAX_PAGE)
        offset = (page - 1) * PAGE_SIZE
        values: dict[str, Any] = {
            "q": q,
            "type": call_type.value if call_type else "",
            "page": page,
            "types": list(CALL_TYPE_LABELS_ES.items()),
        }
        try:
            found = await search_calls(ctx.index, q, call_type, PAGE_SIZE, offset, ctx.public_base_url)
        except TransientError:
            return render(
                "search.html", 503, error=UNAVAILABLE_ES, total=0, cards=[], has_next=False, **values
            )
        background.add_task(
            ctx.impressions.record,
            impressions([h.call_id for h in found.hits], "search_result", "web", first_position=offset),
        )
        return render(
            "search.html",
            error=None,
            total=found.total,
            cards=_cards(found),
            has_next=offset + len(found.hits) < found.total,
            **values,
        )

    @router.get("/convocatorias/{call_id}", response_class=HTMLResponse)
    async def call_page(call_id: str, background: BackgroundTasks) -> HTMLResponse:
        if not is_call_id(call_id):
            return render("message.html", 404, title="Convocatoria no encontrada", message=NOT_FOUND_ES)
        try:
            call = await find_public_call(ctx.repository, call_id)
        except TransientError:
            return render("message.html", 503, title="Servicio no disponible", message=UNAVAILABLE_ES)
        if call is None:
            return render("message.html", 404, title="Convocatoria no encontrada", message=NOT_FOUND_ES)
        background.add_task(ctx.impressions.record, impressions([call.call_id], "call_view", "web"))
        return render(
            "call.html",
            call=card(
                call_id=call.call_id,
                title=call.title,
                summary=call.summary,
                call_type=call.call_type,
                deadline=call.deadline,
                colombia_eligible=call.colombia_eligible,
                url=call.url,
            ),
            paragraphs=[p.strip() for p in call.text.split("\n") if p.strip()],
            funder=call.funder,
            status=call.status,
            canonical_url=public_url(ctx.public_base_url, call.call_id),
            updated=date_es(call.updated_at.date()),
            sources=[s for s in (safe_href(src.get("item_url")) for src in call.sources) if s],
        )

    return router


def _cards(found: SearchPage) -> list[dict[str, Any]]:
    return [
        card(
            call_id=h.call_id,
            title=h.title,
            summary=h.summary,
            call_type=h.call_type,
            deadline=h.deadline,
            colombia_eligible=h.colombia_eligible,
            url=h.url,
        )
        for h in found.hits
    ]
