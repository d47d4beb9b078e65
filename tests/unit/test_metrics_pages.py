"""The metrics pages render from a report (strict templates: a missing value is an error), escape what
they show, and draw every chart as SVG beside its table."""

from datetime import date

from boi_metrics.domain.report import build_report
from boi_metrics.web import Renderer, percent
from boi_metrics.web.export import report_zip
from boi_metrics.web.labels import labelled
from boi_metrics.web.session import Operator, roles_of
from boi_metrics.web.svg import bar_chart, line_chart

DAYS = [
    {
        "_id": "2026-03-01",
        "n": {"search_result": {"web": 4}, "call_view": {"web": 2}},
        "type": {"beca": {"search_result": 4, "call_view": 2}},
        "visitors": 3,
    },
]
CALL_DAYS = [
    {"call_id": "c-a", "day": "2026-03-01", "n": {"search_result": {"web": 4}, "call_view": {"web": 2}}}
]
CALLS = {"c-a": {"title": "<script>alert(1)</script> Beca"}}


def test_dashboard_and_public_page_render_escaped_with_svg_charts() -> None:
    report = build_report(date(2026, 3, 1), date(2026, 3, 2), DAYS, CALL_DAYS, CALLS, 1)
    render = Renderer()
    charts = [
        {
            "title": "Por tipo",
            "rows": labelled("type", report.breakdowns["type"]),
            "svg": bar_chart(labelled("type", report.breakdowns["type"]), "impressions", "tipo"),
        }
    ]
    page = render(
        "dashboard.html",
        report=report,
        operator=Operator("ana", "admin", "tok"),
        series_svg=line_chart(report.series, ["impressions", "views"], "Serie"),
        charts=charts,
        top_svg=bar_chart([{**r, "label": r["title"]} for r in report.top_calls], "impressions", "Top"),
        query="desde=2026-03-01&hasta=2026-03-02",
        call_id_pattern="x",
        saved=False,
    ).body.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; Beca" in page
    assert page.count("<svg") == 3 and '<strong id="kpi-impressions">4</strong>' in page
    assert "50,0 %" in page  # views over impressions
    public = Renderer()(
        "public.html",
        report=report,
        months=[],
        chart=line_chart([], ["impressions"], "m"),
        known={"applications": 3, "selected": 1, "amount_cop": 1500000.0},
        calls_with_outcomes=1,
    )
    assert "1.500.000 COP" in public.body.decode()


def test_helpers() -> None:
    assert percent(None) == "—" and percent(0.125) == "12,5 %"
    assert roles_of("ana:admin:pbkdf2_sha256$1$a$b, bad, carlos:curator:x") == {
        "ana": "admin",
        "carlos": "curator",
    }
    report = build_report(date(2026, 3, 1), date(2026, 3, 1), DAYS, CALL_DAYS, CALLS, 1)
    assert report_zip(report)[:2] == b"PK"
