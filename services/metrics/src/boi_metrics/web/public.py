"""Public pages and open data: the bulletin's reach and the known outcomes, aggregates only."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from boi_metrics.domain.report import STEPS, funnel_row
from boi_metrics.ports import OutcomeLedger
from boi_metrics.reads import OUTCOME_FIELDS, open_data, report
from boi_metrics.service import Stores
from boi_metrics.web import HEADERS, Renderer
from boi_metrics.web.export import to_csv
from boi_metrics.web.ranges import DayRange
from boi_metrics.web.svg import line_chart

OPEN_DATA_COLUMNS = (
    "month",
    "dimension",
    "value",
    "calls_published",
    *STEPS,
    "applied_reported",
    "selected_reported",
    *(f"{f}_known" for f in OUTCOME_FIELDS),
)


def by_month(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    months: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in series:
        for key in (*STEPS, "visitors"):
            months[row["key"][:7]][key] += int(row.get(key) or 0)
    return [{**funnel_row(m, v), "visitors": v["visitors"]} for m, v in sorted(months.items())]


def public_router(stores: Stores, outcomes: OutcomeLedger, render: Renderer, ranges: DayRange) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def year() -> tuple[date, date]:
        last = datetime.now(UTC).date()
        return ranges(last - timedelta(days=ranges.max_days - 1), last)

    @router.get("/estadisticas", response_class=HTMLResponse)
    async def statistics() -> HTMLResponse:
        first, last = year()
        r = await report(stores, first, last, top=0)
        months = by_month(r.series)
        known = await outcomes.all()
        totals = {f: sum((o.get(f) or 0) for o in known.values()) for f in OUTCOME_FIELDS}
        return render(
            "public.html",
            report=r,
            months=months,
            chart=line_chart(months, ["impressions", "views", "clicks"], "Alcance por mes"),
            known=totals,
            calls_with_outcomes=len(known),
        )

    async def rows(desde: date | None, hasta: date | None) -> list[dict[str, Any]]:
        first, last = ranges(desde, hasta) if desde or hasta else year()
        return await open_data(stores.rollups, stores.calls, outcomes, first, last)

    @router.get("/datos/impacto.csv")
    async def open_data_csv(desde: date | None = None, hasta: date | None = None) -> Response:
        body = to_csv(await rows(desde, hasta), OPEN_DATA_COLUMNS)
        headers = {**HEADERS, "Content-Disposition": 'attachment; filename="boi-impacto.csv"'}
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)

    @router.get("/datos/impacto.json")
    async def open_data_json(desde: date | None = None, hasta: date | None = None) -> JSONResponse:
        return JSONResponse({"columns": list(OPEN_DATA_COLUMNS), "rows": await rows(desde, hasta)})

    return router
