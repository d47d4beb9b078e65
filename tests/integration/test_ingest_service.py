"""The ingest service on the real stack: a real Atom feed in through the admin route, raw calls out on
calls.raw.v1, nothing new on a second run; bad sources reported beside good ones; the schedule and the
`boi ingest run` command."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient

from boi_shared.ids import call_id_for, event_id_for
from boi_shared.topics import CALLS_RAW
from tests.support.kafka import collect, eventually, kafka_options
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

TOPIC = CALLS_RAW.name
TOKEN = f"test-token-{uuid.uuid4().hex}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAURITIUS = "feeds/mauritius_govmu_scholarships_atom_2024-04-25.xml"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "convocatorias_es_constructed.xml"
FIXTURE_NEW = 4  # usable entries of the constructed feed


def unique_db() -> str:
    return f"ingest_test_{uuid.uuid4().hex[:12]}"


def atom_links(path: Path) -> dict[str, str]:
    """call id → link of every entry, read independently of the code under test."""
    ns = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(path.read_bytes())
    links = [entry.find(f"{ns}link").get("href") for entry in root.iter(f"{ns}entry")]
    return {call_id_for(link): link for link in links}


def emitted_since(ids: set[str], since: datetime) -> Callable[[dict[str, Any]], bool]:
    def predicate(value: dict[str, Any]) -> bool:
        occurred = value.get("occurred_at")
        return (
            value.get("call_id") in ids
            and isinstance(occurred, str)
            and datetime.fromisoformat(occurred) >= since
        )

    return predicate


def from_fixture_since(since: datetime) -> Callable[[dict[str, Any]], bool]:
    """Events of the constructed feed emitted after `since`."""

    def predicate(value: dict[str, Any]) -> bool:
        return (
            emitted_since({value.get("call_id")}, since)(value)
            and value["call"]["sources"][0]["source_id"] == f"file:{FIXTURE.name}"
        )

    return predicate


async def read_to_end(bootstrap: str, predicate: Callable[[dict[str, Any]], bool]) -> list[dict]:
    """Every matching value on the topic up to its current end offsets (no waiting for more)."""
    consumer = AIOKafkaConsumer(**kafka_options(bootstrap), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(TOPIC, p) for p in range(CALLS_RAW.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[dict] = []
        deadline = time.monotonic() + 60
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            assert time.monotonic() < deadline, f"{TOPIC} not read to its end in 60s"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += [v for r in records if predicate(v := json.loads(r.value)) if isinstance(v, dict)]
        return found
    finally:
        await consumer.stop()


async def item_docs(stack: StackEndpoints, database: str) -> list[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    try:
        return await client[database]["items"].find({}).to_list(None)
    finally:
        await client.close()


async def _count_is(stack: StackEndpoints, database: str, n: int) -> bool:
    return len(await item_docs(stack, database)) == n


@pytest.fixture(scope="module")
def database() -> str:
    return unique_db()


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


async def run(svc: ServiceProcess, sources: list[str], headers: dict[str, str] = AUTH) -> httpx.Response:
    async with httpx.AsyncClient(base_url=svc.url, timeout=120) as client:
        return await client.post("/api/ingest/run", json={"sources": sources}, headers=headers)


async def test_readiness_checks_kafka_and_mongo(ingest: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=ingest.url) as client:
        ready = (await client.get("/readyz")).json()
    assert ready == {"ready": True, "checks": {"kafka": "ok", "mongodb": "ok"}}


async def test_run_needs_the_admin_token(ingest: ServiceProcess, shared_data: Path) -> None:
    feed = str(shared_data / MAURITIUS)
    assert (await run(ingest, [feed], headers={})).status_code == 401
    assert (await run(ingest, [feed], headers={"Authorization": "Bearer nope"})).status_code == 401


async def test_real_atom_feed_is_emitted_once_then_unchanged(
    stack: StackEndpoints, ingest: ServiceProcess, database: str, shared_data: Path
) -> None:
    path = shared_data / MAURITIUS
    links = atom_links(path)
    ids = set(links)
    started = datetime.now(UTC)
    response = await run(ingest, [str(path)])
    assert response.status_code == 200, response.text
    [report] = response.json()["reports"]
    assert {k: report[k] for k in ("fetched", "new", "updated", "unchanged", "skipped", "errors")} == {
        "fetched": 20,
        "new": 20,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "errors": [],
    }

    events = await collect(stack.kafka_bootstrap, TOPIC, emitted_since(ids, started), expected=20)
    assert {e["call_id"] for e in events} == ids
    for event in events:
        assert event["version"] == 1
        assert event["event_id"] == str(event_id_for("ingested", event["call_id"], 1))
        assert event["call"]["sources"] == [
            {"source_id": f"file:{path.name}", "source_type": "atom", "item_url": links[event["call_id"]]}
        ]
        assert event["call"]["url"] == links[event["call_id"]]
        # The feed says English; the one entry written in French is detected as French.
        french = "Gouvernement français" in event["call"]["title"]
        assert event["call"]["title"] and event["call"]["language"] == ("fr" if french else "en")
        assert event["call"]["published_at"].startswith("202")
    docs = await item_docs(stack, database)
    assert {d["_id"]: d["version"] for d in docs} == dict.fromkeys(ids, 1)

    second_started = datetime.now(UTC)
    response = await run(ingest, [str(path)])
    [report] = response.json()["reports"]
    assert (report["fetched"], report["new"], report["updated"], report["unchanged"]) == (20, 0, 0, 20)
    assert await read_to_end(stack.kafka_bootstrap, emitted_since(ids, second_started)) == []


def write_feed(path: Path, items: list[tuple[str, str, str]]) -> None:
    """A small RSS feed written by the test (constructed, not real data)."""
    body = "".join(
        f"<item><title>{t}</title><link>{u}</link><description>{d}</description></item>" for t, u, d in items
    )
    path.write_text(f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>', encoding="utf-8")


async def test_changed_content_emits_the_next_version(
    stack: StackEndpoints, ingest: ServiceProcess, database: str, tmp_path: Path
) -> None:
    base = f"https://example.org/{uuid.uuid4().hex}"
    feed = tmp_path / "cambios.xml"
    write_feed(feed, [("Beca", f"{base}/beca", "Cierra en marzo."), ("Premio", f"{base}/premio", "Abierto.")])
    assert (await run(ingest, [str(feed)])).json()["reports"][0]["new"] == 2
    beca = call_id_for(f"{base}/beca")

    started = datetime.now(UTC)
    write_feed(
        feed,
        [("Beca", f"{base}/beca?utm_source=x", "Cierra en abril."), ("Premio", f"{base}/premio", "Abierto.")],
    )
    [report] = (await run(ingest, [str(feed)])).json()["reports"]
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 1, 1)
    [event] = await collect(stack.kafka_bootstrap, TOPIC, emitted_since({beca}, started))
    assert (event["version"], event["call"]["text"]) == (2, "Cierra en abril.")
    assert event["event_id"] == str(event_id_for("ingested", beca, 2))
    docs = {d["_id"]: d["version"] for d in await item_docs(stack, database)}
    assert docs[beca] == 2 and docs[call_id_for(f"{base}/premio")] == 1


async def test_bad_sources_are_reported_and_good_ones_still_ingested(
    stack: StackEndpoints, ingest: ServiceProcess, shared_data: Path, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    sources = [str(tmp_path / "missing.xml"), str(shared_data / "bad/defusedxml/xmlbomb.xml"), str(FIXTURE)]
    response = await run(ingest, sources)
    assert response.status_code == 200
    missing, bomb, good = response.json()["reports"]
    assert missing["errors"][0].startswith("no such file:")
    assert bomb["errors"][0].startswith("refused: the document declares XML entities")
    assert (good["new"], good["skipped"], good["errors"]) == (FIXTURE_NEW, 5, [])
    events = await collect(stack.kafka_bootstrap, TOPIC, from_fixture_since(started), expected=FIXTURE_NEW)
    assert {e["call"]["language"] for e in events} == {"es"}


async def test_schedule_runs_configured_sources_on_start_and_stops_cleanly(
    stack: StackEndpoints,
) -> None:
    database = unique_db()
    started = datetime.now(UTC)
    svc = ServiceProcess(
        "ingest",
        {
            **stack.service_env(),
            "BOI_ADMIN_TOKEN": "",
            "BOI_INGEST_INTERVAL_SECONDS": "3600",
            "BOI_MONGO_DATABASE": database,
            "BOI_INGEST_SOURCES": str(FIXTURE),
        },
    ).start()
    try:
        await collect(stack.kafka_bootstrap, TOPIC, from_fixture_since(started), expected=FIXTURE_NEW)
        await eventually(lambda: _count_is(stack, database, FIXTURE_NEW))
        assert (await run(svc, [str(FIXTURE)])).status_code == 503  # no token configured
    finally:
        svc.stop()
    assert svc.proc is not None and svc.proc.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises it
    log = svc.log_file.read_text()
    assert "Application shutdown complete." in log
    assert "Traceback" not in log and '"level": "ERROR"' not in log


async def boi_ingest_run(*sources: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`boi ingest run …`, the installed console script, as an operator would run it."""
    boi = Path(sys.executable).parent / "boi"
    return await asyncio.to_thread(
        subprocess.run,
        [str(boi), "ingest", "run", *sources],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_boi_ingest_run_command(stack: StackEndpoints) -> None:
    database = unique_db()
    started = datetime.now(UTC)
    env = {**os.environ, **stack.service_env(), "BOI_MONGO_DATABASE": database}
    done = await boi_ingest_run(str(FIXTURE), env=env)
    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)
    assert (report["source_id"], report["new"], report["errors"]) == (f"file:{FIXTURE.name}", FIXTURE_NEW, [])
    assert len(await item_docs(stack, database)) == FIXTURE_NEW
    await collect(stack.kafka_bootstrap, TOPIC, from_fixture_since(started), expected=FIXTURE_NEW)

    failed = await boi_ingest_run("/nonexistent/feed.xml", env=env)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)[0]["errors"][0].startswith("no such file")
