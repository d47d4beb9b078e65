"""Public JSON API for partners and for the site's own script: search the published calls, read one call,
get a browser search token (results a person saw are reported to `web/beacon.py`). Rate limited per
client, like every public route (`boi_shared.ratelimit.RateLimitMiddleware`)."""

from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field

from boi_catalog.adapters.meili import MeiliSearchIndex
from boi_catalog.adapters.meili_admin import public_search_key
from boi_catalog.domain.call import CatalogCall
from boi_catalog.domain.public import impressions, public_call
from boi_catalog.domain.search import MAX_TOTAL_HITS, SearchHit, search_page
from boi_catalog.service.public import find_public_call
from boi_catalog.web import NOT_FOUND_ES, UNAVAILABLE_ES, WebContext, is_call_id
from boi_catalog.web.call_page import BOGOTA, call_details
from boi_catalog.web.public_search import PublicSearch
from boi_catalog.web.query import FACETS, MAX_SECTOR, SearchParams, parse
from boi_shared.errors import TransientError
from boi_shared.events import PublicCall
from boi_shared.taxonomy import Audience, CallType, Eligibility, Modality

DIRECT_SEARCH_OFF_ES = (
    "La búsqueda directa desde el navegador no está habilitada en este sitio; usa /api/calls."
)
LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many requests: retry after `Retry-After` seconds"}
}


class ReadinessStep(BaseModel):
    """A paperwork step the call needs, from the lead times in `boi_shared.readiness`."""

    key: str = Field(description="language_test, passport, apostille, recommendation_letters, …")
    label_es: str
    lead_days: int = Field(description="Days before the deadline to start it")
    start_by: date | None = Field(description="deadline − lead_days; None for a closed call or no deadline")
    late: bool = Field(description="start_by is already past: not a feasible plan any more")
    found_in: str = Field(description="The required document or sentence that shows the step is needed")


class CallDetail(PublicCall):
    """A public call with its id, catalog version, classification, required documents, the source
    sentences behind its deadline and eligibility, and its readiness timeline."""

    call_id: str
    version: int
    sectors: list[str] = []
    ods: list[int] = Field(default=[], description="Sustainable Development Goals 1–17")
    audience: list[str] = []
    modality: str | None = None
    required_documents: list[str] = []
    evidence: dict[str, str] = Field(
        default={},
        description="Source sentence of `deadline` and `colombia_eligible` (unless a curator edited it)",
    )
    readiness: list[ReadinessStep] = []


EVIDENCE_KEYS = (("deadline", "deadline"), ("colombia_eligible", "eligibility"))


def call_detail(call: CatalogCall, base_url: str, today: date) -> CallDetail:
    details = call_details(call, today)
    found = details["evidence"]
    return CallDetail(
        call_id=call.call_id,
        version=call.version,
        sectors=call.sectors,
        ods=call.ods,
        audience=call.audience,
        modality=call.modality,
        required_documents=details["documents"],
        evidence={
            k: found[f]
            for k, f in (("deadline", "deadline"), ("colombia_eligible", "eligibility"))
            if found[f]
        },
        readiness=[
            ReadinessStep(
                key=s["key"],
                label_es=s["label"],
                lead_days=s["lead_days"],
                start_by=s["start_iso"] or None,
                late=s["late"],
                found_in=s["found_in"],
            )
            for s in details["readiness"]["steps"]
        ],
        # PublicCall carries sectors and ods too (same values): given once, above.
        **public_call(call, base_url).model_dump(exclude={"sectors", "ods"}),
    )


class SearchResults(BaseModel):
    """One page of search results with facet counts."""

    query: str
    total: int = Field(description="Number of matching calls (exact when offset is a multiple of limit)")
    limit: int
    offset: int
    sort: str = Field(description="relevancia, cierra_pronto or recientes")
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = Field(
        description="Per facet (call_type, colombia_eligible, language, sectors, ods, audience, modality), "
        "the number of matching calls per value"
    )


class BrowserSearchConfig(BaseModel):
    """How a browser searches Meilisearch directly: a short-lived tenant token restricted to published
    calls (search only; never the master key)."""

    url: str
    index: str
    token: str
    expires_at: int = Field(description="Unix time the token expires")
    facets: list[str]


def search_params(
    q: str = Query("", max_length=200, description="Words to look for (typos tolerated)"),
    call_type: CallType | None = Query(None, alias="type", description="Only this kind"),
    eligibility: Eligibility | None = Query(None, description="Colombia eligibility: si, no, sin_dato"),
    language: str = Query("", max_length=3, description="Language of the official text (es, en…)"),
    sector: str = Query(
        "", max_length=MAX_SECTOR, description="Only calls of this sector (a `sectors` facet value)"
    ),
    ods: int | None = Query(
        None, ge=1, le=17, description="Only calls for this Sustainable Development Goal (1–17)"
    ),
    audience: Audience | None = Query(None, description="Only calls for this audience"),
    modality: Modality | None = Query(None, description="Only calls of this modality"),
    sort: Literal["relevancia", "cierra_pronto", "recientes"] = Query(
        "relevancia", description="cierra_pronto: open calls by deadline, soonest first"
    ),
    limit: int = Query(20, ge=1, le=50, description="Results per page"),
    offset: int = Query(0, ge=0, le=MAX_TOTAL_HITS, description="Results to skip"),
) -> SearchParams:
    """The search parameters of `/api/calls` (and the site's `/api/web/calls`), validated."""
    return parse(
        q,
        call_type.value if call_type else "",
        eligibility.value if eligibility else "",
        language,
        sort,
        sector=sector,
        ods=ods or "",
        audience=audience.value if audience else "",
        modality=modality.value if modality else "",
        limit=limit,
        offset=offset,
    )


def api_router(ctx: WebContext, search: PublicSearch) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["calls"])

    async def run_search(background: BackgroundTasks, channel: str, params: SearchParams) -> SearchResults:
        try:
            found = await search.search(params)
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        page = search_page(params.q, found.total, found.hits, ctx.public_base_url)
        # Partners' API results are counted here, after the response is sent (uvicorn waits for it on
        # shutdown); the site's own results only once a person saw them (web/beacon.py), never per keystroke.
        if channel == "api":
            background.add_task(
                ctx.impressions.record,
                impressions(
                    [h.call_id for h in page.hits], "search_result", channel, first_position=params.offset
                ),
            )
        return SearchResults(
            query=params.q,
            total=found.total,
            limit=params.limit,
            offset=params.offset,
            sort=params.sort,
            hits=page.hits,
            facets=found.facets,
        )

    @router.get("/calls", summary="Search the published calls", responses=LIMITED)
    async def search_calls(
        background: BackgroundTasks, params: SearchParams = Depends(search_params)
    ) -> SearchResults:
        return await run_search(background, "api", params)

    # The site's own script searches here (its results are counted by the beacon once seen); same parameters.
    @router.get("/web/calls", include_in_schema=False)
    async def search_for_site(
        background: BackgroundTasks, params: SearchParams = Depends(search_params)
    ) -> SearchResults:
        return await run_search(background, "web", params)

    @router.get(
        "/calls/{call_id}",
        summary="One published call",
        responses={404: {"description": "No such public call"}, 429: LIMITED[429]},
    )
    async def get_call(call_id: str) -> CallDetail:
        if not is_call_id(call_id):
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES)
        try:
            call = await find_public_call(ctx.repository, call_id)
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        if call is None:
            raise HTTPException(status_code=404, detail=NOT_FOUND_ES)
        return call_detail(call, ctx.public_base_url, datetime.now(BOGOTA).date())

    @router.get(
        "/buscador",
        summary="Tenant token for searching from a browser",
        responses={404: {"description": "Direct browser search is not enabled"}, 429: LIMITED[429]},
    )
    async def browser_search(response: Response) -> BrowserSearchConfig:
        if not search.public_url:  # browsers search through /api/web/calls; no internal URL leaves
            raise HTTPException(status_code=404, detail=DIRECT_SEARCH_OFF_ES)
        try:
            if not isinstance(ctx.index, MeiliSearchIndex):
                raise TransientError("browser search needs Meilisearch")
            index = ctx.index
            found = await search.browser_search(lambda: public_search_key(index))
        except TransientError as exc:
            raise HTTPException(status_code=503, detail=UNAVAILABLE_ES) from exc
        response.headers["Cache-Control"] = "private, max-age=60"
        return BrowserSearchConfig(
            url=found.url,
            index=found.index,
            token=found.token,
            expires_at=found.expires_at,
            facets=list(FACETS),
        )

    return router
