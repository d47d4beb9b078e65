"""The dashboard, the public statistics and the open data on the real stack: the console's cookie signed by
the catalog's own session code opens the dashboard; its CSV zip opens and its totals match the report;
outcomes recorded by an operator reach the ledger; without a session nothing of the console is shown."""

import csv
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from boi_catalog.web.auth import Sessions, User, hash_password
from boi_shared.events import CallPublished, ImpressionRecorded, PublicCall
from boi_shared.topics import CALLS_PUBLISHED, IMPRESSIONS
from tests.support.kafka import eventually, publish
from tests.support.metrics import skip_to_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

SECRET = uuid.uuid4().hex
USERS = f"ana:curator:{hash_password('x', iterations=1000)}"
CALL = f"c-dash-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
async def metrics(stack: StackEndpoints) -> AsyncIterator[ServiceProcess]:
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": f"metrics_dash_{uuid.uuid4().hex[:8]}",
        "BOI_SESSION_SECRET": SECRET,
        "BOI_CONSOLE_USERS": USERS,
    }
    await skip_to_end(stack.kafka_bootstrap, "metrics")
    svc = ServiceProcess("metrics", env).start()
    yield svc
    svc.stop()


def _cookie() -> tuple[dict[str, str], str]:
    sessions = Sessions(USERS, SECRET, secure=False)
    user = User("ana", "curator", "csrf-token-1")
    return {"boi_console": sessions.cookie(user)}, user.csrf


async def _seed(stack: StackEndpoints, metrics: ServiceProcess) -> None:
    call = PublicCall(
        url="https://example.org/d", title="Beca tablero", summary="s", status="publicada", ods=[4, 10]
    )
    announced = CallPublished(call_id=CALL, version=1, change="published", call=call)
    await publish(
        stack.kafka_bootstrap, CALLS_PUBLISHED.name, announced.model_dump_json().encode(), key=CALL.encode()
    )

    # Breakdowns use the call's dimensions when an impression is counted: the call first.
    def published() -> int:
        report = httpx.get(f"{metrics.url}/api/metrics/report", timeout=10).json()
        return int(report["kpis"]["calls_published"])

    await eventually(published, timeout=90)
    for kind, n in (("search_result", 5), ("call_view", 2), ("source_click", 1), ("applied", 1)):
        for _ in range(n):
            e = ImpressionRecorded.model_validate({"call_id": CALL, "kind": kind})
            await publish(
                stack.kafka_bootstrap, IMPRESSIONS.name, e.model_dump_json().encode(), key=CALL.encode()
            )


async def test_dashboard_export_and_public_pages(stack: StackEndpoints, metrics: ServiceProcess) -> None:
    await _seed(stack, metrics)

    def counted() -> dict[str, Any] | None:
        report = httpx.get(f"{metrics.url}/api/metrics/report", timeout=10).json()
        top = [c for c in report["top_calls"] if c["key"] == CALL]
        ok = (
            top
            and top[0]["impressions"] == 5
            and top[0]["clicks"] == 1
            and report["kpis"]["calls_published"] >= 1
            and report["kpis"]["applied"] >= 1  # the last event sent: waited for, not raced
        )
        return report if ok else None

    report = await eventually(counted, timeout=90)

    anonymous = httpx.get(f"{metrics.url}/consola/metricas", timeout=10)
    assert anonymous.status_code == 401 and "Inicia sesión" in anonymous.text
    assert httpx.get(f"{metrics.url}/consola/metricas/export.zip", timeout=10).status_code == 401
    forged = {
        "boi_console": Sessions(USERS, "another-secret", secure=False).cookie(User("ana", "curator", "c"))
    }
    assert httpx.get(f"{metrics.url}/consola/metricas", cookies=forged, timeout=10).status_code == 401

    cookies, csrf = _cookie()
    page = httpx.get(f"{metrics.url}/consola/metricas", cookies=cookies, timeout=10)
    assert page.status_code == 200 and page.text.count("<svg") >= 8 and "Beca tablero" in page.text
    assert "script" not in page.headers["content-security-policy"].split("default-src")[0]

    exported = httpx.get(f"{metrics.url}/consola/metricas/export.zip", cookies=cookies, timeout=10)
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as zf:
        names = set(zf.namelist())
        assert {
            "kpis.csv",
            "series.csv",
            "top_calls.csv",
            "breakdown_ods.csv",
            "breakdown_channel.csv",
        } <= names
        series = list(csv.DictReader(io.StringIO(zf.read("series.csv").decode())))
        kpis = {r["kpi"]: r["value"] for r in csv.DictReader(io.StringIO(zf.read("kpis.csv").decode()))}
    assert (
        sum(int(r["impressions"]) for r in series)
        == int(kpis["impressions"])
        == report["kpis"]["impressions"]
    )
    assert sum(int(r["clicks"]) for r in series) == int(kpis["clicks"]) == report["kpis"]["clicks"]

    bad = httpx.post(
        f"{metrics.url}/consola/metricas/resultados",
        cookies=cookies,
        data={"csrf": csrf, "call_id": CALL, "applications": "3", "selected": "9", "source": "informe"},
        timeout=10,
    )
    assert bad.status_code == 422 and "seleccionadas" in bad.text
    no_csrf = {"call_id": CALL, "applications": "3", "source": "informe"}
    assert (
        httpx.post(f"{metrics.url}/consola/metricas/resultados", cookies=cookies, data=no_csrf).status_code
        == 403
    )
    form = {
        "csrf": csrf,
        "call_id": CALL,
        "applications": "12",
        "selected": "2",
        "amount_cop": "5000000",
        "source": "Informe de la embajada",
    }
    saved = httpx.post(f"{metrics.url}/consola/metricas/resultados", cookies=cookies, data=form, timeout=10)
    assert saved.status_code == 303

    public = httpx.get(f"{metrics.url}/estadisticas", timeout=10)
    assert public.status_code == 200 and "12 postulaciones" in public.text and CALL not in public.text
    data = httpx.get(f"{metrics.url}/datos/impacto.json", timeout=10).json()
    month = datetime.now(UTC).strftime("%Y-%m")
    ods4 = next(
        r for r in data["rows"] if r["month"] == month and r["dimension"] == "ods" and r["value"] == "4"
    )
    assert ods4["calls_published"] >= 1 and ods4["applications_known"] >= 12 and ods4["impressions"] >= 5
    text = httpx.get(f"{metrics.url}/datos/impacto.csv", timeout=10).text
    assert text.splitlines()[0].startswith("month,dimension,value,calls_published")
