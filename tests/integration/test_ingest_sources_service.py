"""The ingest service on the real stack with its sources registry: registered sources of every document
type run on request and on their own schedule with status in FerretDB; manual calls published to
calls.raw.v1 behind the admin token."""

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from boi_shared.ids import call_id_for
from boi_shared.topics import CALLS_RAW
from tests.support.kafka import collect, eventually
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

TOKEN = f"test-token-{uuid.uuid4().hex}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
CSV = FIXTURES / "convocatorias_historicas_cp1252_constructed.csv"
HTML = FIXTURES / "convocatorias_listado_constructed.html"


def from_source(source_id: str, since: datetime) -> Callable[[dict[str, Any]], bool]:
    def predicate(value: dict[str, Any]) -> bool:
        occurred = value.get("occurred_at")
        return (
            isinstance(occurred, str)
            and datetime.fromisoformat(occurred) >= since
            and any(s["source_id"] == source_id for s in value["call"]["sources"])
        )

    return predicate


def service(stack: StackEndpoints, **env: str) -> ServiceProcess:
    return ServiceProcess(
        "ingest",
        {
            **stack.service_env(),
            "BOI_ADMIN_TOKEN": TOKEN,
            "BOI_INGEST_INTERVAL_SECONDS": "0",
            "BOI_MONGO_DATABASE": f"ingest_sources_{uuid.uuid4().hex[:12]}",
            "BOI_INGEST_SOURCES": "",
            **env,
        },
    ).start()


@pytest.fixture(scope="module")
def ingest(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = service(stack)
    yield svc
    svc.stop()


def api(svc: ServiceProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=svc.url, headers=AUTH, timeout=120)


async def test_manual_call_is_published_once_per_version(
    stack: StackEndpoints, ingest: ServiceProcess
) -> None:
    url = f"https://embajada.example.org/becas/{uuid.uuid4().hex}"
    call = {
        "title": "Beca <script>alert(1)</script>de posgrado en Corea",
        "url": f"{url}?utm_source=whatsapp",
        "text": "<p>Cobertura completa.</p>",
        "language": "es",
        "deadline": "15 de marzo de 2027",
        "funder": "Gobierno de Corea",
    }
    async with httpx.AsyncClient(base_url=ingest.url) as anonymous:
        assert (await anonymous.post("/api/calls/manual", json=call)).status_code == 401
    started = datetime.now(UTC)
    async with api(ingest) as client:
        first = await client.post("/api/calls/manual", json=call)
        assert first.status_code == 200, first.text
        assert first.json() == {"call_id": call_id_for(url), "url": url, "outcome": "new", "version": 1}
        again = await client.post("/api/calls/manual", json=call)
        assert again.json()["outcome"] == "unchanged"
        changed = await client.post("/api/calls/manual", json={**call, "text": "Cobertura parcial."})
        assert (changed.json()["outcome"], changed.json()["version"]) == ("updated", 2)
    v1, v2 = await collect(stack.kafka_bootstrap, CALLS_RAW.name, from_source("manual", started), expected=2)
    assert (v1["call_id"], v1["version"], v2["version"]) == (call_id_for(url), 1, 2)
    assert v1["call"]["title"] == "Beca de posgrado en Corea"
    assert (
        v1["call"]["text"] == "Cobertura completa. Funder: Gobierno de Corea. Deadline: 15 de marzo de 2027."
    )
    assert v1["call"]["sources"] == [
        {"source_id": "manual", "source_type": "manual", "item_url": call["url"]}
    ]
    assert v1["call"]["deadline_candidates"][0]["date"] == "2027-03-15"


async def test_registered_sources_run_with_status(
    stack: StackEndpoints, ingest: ServiceProcess, shared_data: Path
) -> None:
    sources = [
        {"id": "historico-csv", "type": "csv", "file": str(CSV), "language": "es", "tags": ["historico"]},
        {
            "id": "challenge-gov",
            "type": "json_api",
            "file": str(shared_data / "api/challenge_gov_challenges_2021-07-13.json"),
            "mapping": "challenge_gov",
        },
        {
            "id": "listado-html",
            "type": "html",
            "file": str(HTML),
            "mapping": {
                "item": "article.call",
                "title": "h2",
                "text": ".summary",
                "base_url": "https://convocatorias.example.org/",
            },
        },
        {"id": "perdido", "type": "csv", "file": "/nonexistent/historico.csv"},
    ]
    started = datetime.now(UTC)
    async with api(ingest) as client:
        for source in sources:
            assert (await client.post("/api/sources", json=source)).status_code == 201
        reports = {r["source_id"]: r for r in (await client.post("/api/ingest/run")).json()["reports"]}
        assert {k: (r["new"], r["fetched"]) for k, r in reports.items()} == {
            "historico-csv": (3, 4),
            "challenge-gov": (36 - reports["challenge-gov"]["duplicate"], 37),
            "listado-html": (3, 4),
            "perdido": (0, 0),
        }
        assert reports["perdido"]["errors"][0].startswith("no such file")
        events = await collect(
            stack.kafka_bootstrap, CALLS_RAW.name, from_source("historico-csv", started), expected=3
        )
        assert {e["call"]["sources"][0]["source_type"] for e in events} == {"csv"}

        second = {r["source_id"]: r for r in (await client.post("/api/ingest/run")).json()["reports"]}
        assert (second["historico-csv"]["new"], second["historico-csv"]["unchanged"]) == (0, 3)

        status = (await client.get("/api/sources/historico-csv/status")).json()
        assert status["last_success_at"] and status["last_error"] is None
        assert status["last_run"]["unchanged"] == 3 and status["totals"]["new"] == 3
        assert status["totals"]["fetched"] == 8 and status["totals"]["skipped"] == 2
        lost = (await client.get("/api/sources/perdido/status")).json()
        assert lost["last_success_at"] is None and lost["last_error"].startswith("no such file")

        await client.post("/api/sources/perdido/disable")
        third = (await client.post("/api/ingest/run")).json()["reports"]
        assert "perdido" not in {r["source_id"] for r in third}


async def test_schedule_runs_each_source_on_its_own_interval(stack: StackEndpoints) -> None:
    feed = FIXTURES / "convocatorias_es_constructed.xml"
    svc = service(
        stack,
        BOI_INGEST_INTERVAL_SECONDS="3600",
        BOI_INGEST_SOURCES=str(feed),
        BOI_SOURCES_REFRESH_SECONDS="0.5",
    )
    try:
        async with api(svc) as client:
            fast = {"id": "csv-rapido", "type": "csv", "file": str(CSV), "interval_seconds": 1, "jitter": 0}
            assert (await client.post("/api/sources", json=fast)).status_code == 201

            async def status(source_id: str) -> dict[str, Any]:
                return (await client.get(f"/api/sources/{source_id}/status")).json()

            # the seeded feed ran once at start (hourly); the new source runs about every second
            await eventually(lambda: _ran(status("csv-rapido"), times=3), timeout=30)
            seeded = await status(f"file:{feed.name}")
            assert seeded["last_success_at"] and seeded["totals"]["new"] == 4
            assert seeded["totals"]["fetched"] == 9  # one run only
    finally:
        svc.stop()
    assert "Traceback" not in svc.log_file.read_text()


async def _ran(status: Any, times: int) -> bool:
    return (await status)["totals"]["fetched"] >= 4 * times


async def test_unregistered_spreadsheets_and_json_run_by_their_name(
    stack: StackEndpoints, shared_data: Path, tmp_path: Path
) -> None:
    svc = service(stack)
    eu = shared_data / "api/eu_funding_tenders_search_response.json"
    csv_copy = tmp_path / "historico.csv"
    csv_copy.write_bytes(CSV.read_bytes())
    started = datetime.now(UTC)
    try:
        async with api(svc) as client:
            response = await client.post("/api/ingest/run", json={"sources": [str(csv_copy), str(eu)]})
        by_csv, by_eu = response.json()["reports"]
    finally:
        svc.stop()
    assert (by_csv["source_id"], by_csv["new"], by_csv["errors"]) == ("file:historico.csv", 3, [])
    assert (by_eu["new"], by_eu["fetched"], by_eu["errors"]) == (1, 5, [])
    [event] = await collect(
        stack.kafka_bootstrap, CALLS_RAW.name, from_source(f"file:{eu.name}", started), expected=1
    )
    assert event["call"]["sources"][0]["source_type"] == "json_api" and event["call"]["language"] == "en"
