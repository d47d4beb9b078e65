"""CSV files of a report (a zip of the series and every breakdown) and of the open data."""

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from boi_metrics.domain.report import Report


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})
    return out.getvalue()


def report_zip(report: Report) -> bytes:
    """`kpis.csv`, `series.csv`, `top_calls.csv` and `breakdown_<dimension>.csv`, UTF-8."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        kpis = [{"kpi": k, "value": v} for k, v in report.kpis.items()]
        zf.writestr("kpis.csv", to_csv(kpis, ["kpi", "value"]))
        zf.writestr("series.csv", to_csv(report.series))
        zf.writestr("top_calls.csv", to_csv(report.top_calls))
        for dimension, rows in report.breakdowns.items():
            zf.writestr(f"breakdown_{dimension}.csv", to_csv(rows))
    return buffer.getvalue()
