"""Near-duplicates on the real stack: two feeds (constructed fixtures) announce the same call under
different URLs and titles; the ingest service emits one call on calls.raw.v1 listing both sources, and a
second run emits nothing."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from boi_ingest.domain.urls import canonical_url
from boi_shared.ids import call_id_for
from boi_shared.topics import CALLS_RAW
from tests.integration.test_ingest_service import emitted_since, read_to_end
from tests.support.kafka import collect
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
PORTAL_A = FIXTURES / "dedup_portal_a_constructed.xml"
PORTAL_B = FIXTURES / "dedup_portal_b_constructed.xml"
TOKEN = f"test-token-{uuid.uuid4().hex}"
FULBRIGHT = call_id_for("https://becas.portal-a.example/fulbright-maestria-2027")
PREMIO = call_id_for("https://becas.portal-a.example/premio-periodismo-civico-2027")
CURSO = call_id_for("https://oportunidades.portal-b.example/c/4412")
FULBRIGHT_B = call_id_for(canonical_url("https://oportunidades.portal-b.example/c/4411"))


@pytest.fixture(scope="module")
def database() -> str:
    return f"ingest_dedup_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def ingest(stack: StackEndpoints, database: str) -> Iterator[ServiceProcess]:
    svc = ServiceProcess(
        "ingest",
        {
            **stack.service_env(),
            "BOI_ADMIN_TOKEN": TOKEN,
            "BOI_INGEST_INTERVAL_SECONDS": "0",
            "BOI_MONGO_DATABASE": database,
            "BOI_INGEST_SOURCES": "",
        },
    ).start()
    yield svc
    svc.stop()


async def run(svc: ServiceProcess, sources: list[str]) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=svc.url, timeout=120) as client:
        response = await client.post(
            "/api/ingest/run", json={"sources": sources}, headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 200, response.text
    return list(response.json()["reports"])


async def collection(stack: StackEndpoints, database: str, name: str) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    try:
        return await client[database][name].find({}).to_list(None)
    finally:
        await client.close()


async def test_two_feeds_announcing_one_call_emit_one_call_listing_both_sources(
    stack: StackEndpoints, ingest: ServiceProcess, database: str
) -> None:
    started = datetime.now(UTC)
    a, b = await run(ingest, [str(PORTAL_A), str(PORTAL_B)])
    assert (a["new"], a["duplicate"], a["errors"]) == (2, 0, [])
    assert (b["new"], b["duplicate"], b["errors"]) == (1, 1, [])

    ids = {FULBRIGHT, PREMIO, CURSO, FULBRIGHT_B}
    events = await collect(stack.kafka_bootstrap, CALLS_RAW.name, emitted_since(ids, started), expected=4)
    assert sorted((e["call_id"], e["version"]) for e in events) == sorted(
        [(FULBRIGHT, 1), (FULBRIGHT, 2), (PREMIO, 1), (CURSO, 1)]
    )
    merged = next(e for e in events if (e["call_id"], e["version"]) == (FULBRIGHT, 2))
    assert merged["call"]["title"] == "Becas Fulbright 2027 para maestría"
    assert [(s["source_id"], s["source_type"], s["item_url"]) for s in merged["call"]["sources"]] == [
        (
            f"file:{PORTAL_A.name}",
            "rss",
            "https://becas.portal-a.example/fulbright-maestria-2027?utm_source=rss",
        ),
        (f"file:{PORTAL_B.name}", "atom", "https://oportunidades.portal-b.example/c/4411#detalle"),
    ]
    assert merged["call"]["language"] == "es"
    assert merged["call"]["funder_candidates"] == ["Comisión Fulbright Colombia"]
    assert [c["date"] for c in merged["call"]["deadline_candidates"]] == ["2027-02-15"]

    items = {d["_id"]: d for d in await collection(stack, database, "items")}
    assert items[FULBRIGHT_B]["call_id"] == FULBRIGHT
    calls = {d["_id"]: d for d in await collection(stack, database, "calls")}
    assert len(calls[f"{FULBRIGHT}@2"]["call"]["sources"]) == 2 and f"{FULBRIGHT}@3" not in calls
    signatures = {d["_id"]: d["call_id"] for d in await collection(stack, database, "signatures")}
    assert signatures == {FULBRIGHT: FULBRIGHT, PREMIO: PREMIO, CURSO: CURSO, FULBRIGHT_B: FULBRIGHT}

    again_started = datetime.now(UTC)
    a, b = await run(ingest, [str(PORTAL_A), str(PORTAL_B)])
    assert (a["unchanged"], b["unchanged"], a["new"] + b["new"] + b["duplicate"]) == (2, 2, 0)
    assert await read_to_end(stack.kafka_bootstrap, emitted_since(ids, again_started)) == []
