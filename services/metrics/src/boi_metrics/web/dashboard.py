"""The console's dashboard that replaces the Power BI reports: KPIs, series, breakdowns, top calls and
the funnel per channel over a chosen range, each chart beside its table; a zip of CSVs; outcomes form."""

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from boi_metrics.domain.outcomes import Outcome
from boi_metrics.ports import OutcomeLedger
from boi_metrics.reads import report
from boi_metrics.service import Stores
from boi_metrics.web import Renderer
from boi_metrics.web.export import report_zip
from boi_metrics.web.labels import labelled
from boi_metrics.web.ranges import DayRange
from boi_metrics.web.session import ConsoleSession
from boi_metrics.web.svg import bar_chart, line_chart
from boi_shared.ids import CALL_ID_PATTERN

PREFIX = "/consola/metricas"
BREAKDOWN_TITLES = {
    "type": "Por tipo de convocatoria",
    "ods": "Por ODS",
    "sector": "Por sector",
    "channel": "Por canal (embudo)",
    "funder": "Por entidad financiadora",
    "utm": "Por campaña (UTM)",
}


def dashboard_router(
    stores: Stores, outcomes: OutcomeLedger, session: ConsoleSession, render: Renderer, ranges: DayRange
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.get("", response_class=HTMLResponse)
    async def dashboard(request: Request, desde: date | None = None, hasta: date | None = None) -> Response:
        operator = await session.operator(request)
        if operator is None:
            return render("message.html", 401, title="Inicia sesión", message=UNAUTHENTICATED)
        first, last = ranges(desde, hasta)
        r = await report(stores, first, last)
        charts: list[dict[str, Any]] = []
        for dimension, title in BREAKDOWN_TITLES.items():
            rows = labelled(dimension, r.breakdowns[dimension])
            charts.append(
                {"title": title, "rows": rows, "svg": bar_chart(rows, "impressions", f"{title}: impresiones")}
            )
        return render(
            "dashboard.html",
            report=r,
            operator=operator,
            series_svg=line_chart(r.series, ["impressions", "views", "clicks", "visitors"], "Serie diaria"),
            charts=charts,
            top_svg=bar_chart(
                [{**row, "label": row["title"]} for row in r.top_calls],
                "impressions",
                "Convocatorias más vistas",
            ),
            query=f"desde={first.isoformat()}&hasta={last.isoformat()}",
            call_id_pattern=CALL_ID_PATTERN,
            saved=request.query_params.get("guardado") == "1",
        )

    @router.get("/export.zip")
    async def export(request: Request, desde: date | None = None, hasta: date | None = None) -> Response:
        await session.require(request)
        first, last = ranges(desde, hasta)
        body = report_zip(await report(stores, first, last))
        name = f"boi-metricas-{first.isoformat()}-{last.isoformat()}.zip"
        return Response(
            body,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.post("/resultados")
    async def record_outcome(request: Request) -> Response:
        operator = await session.require(request)
        raw = (await request.body()).decode("utf-8", errors="replace")
        data = {k: v[-1].strip() for k, v in parse_qs(raw, keep_blank_values=True).items()}
        session.check_csrf(operator, data.pop("csrf", ""))
        call_id = data.pop("call_id", "")
        if re.fullmatch(CALL_ID_PATTERN, call_id) is None:
            raise HTTPException(422, "El id de la convocatoria no es válido (cópialo de su dirección).")
        try:
            outcome = Outcome.model_validate({k: v for k, v in data.items() if v != ""})
        except ValidationError as exc:
            messages = "; ".join(str(e["msg"]) for e in exc.errors(include_url=False))
            raise HTTPException(422, f"Revisa el formulario: {messages}") from exc
        await outcomes.put(call_id, {**outcome.model_dump(), "recorded_by_role": operator.role})
        return RedirectResponse(f"{PREFIX}?guardado=1", status_code=303)

    return router


UNAUTHENTICATED = "Esta página es de la consola. Inicia sesión en /consola y vuelve a abrirla."
