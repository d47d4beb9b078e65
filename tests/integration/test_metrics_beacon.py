"""The browser beacon and the server-counted views and clicks, from the catalog to the metrics rollups on
the real stack: a person counts once per call, day and kind; crawlers and headless browsers are not
counted; oversized, invalid and unknown batches are refused; a client over its rate gets 429 and is not
counted; nothing in the metrics database holds an address, a user agent or an email; salts and markers
of two days ago are deleted."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from boi_catalog.adapters.mongo import MongoCallRepository
from boi_catalog.adapters.visitor_salts import MongoVisitorSalts
from boi_metrics.adapters.rollups import MongoRollups
from boi_metrics.domain.counts import RecordPosition
from boi_metrics.service import forget_markers
from boi_shared.events import CallPublished, PublicCall
from boi_shared.topics import CALLS_PUBLISHED, IMPRESSIONS
from tests.support.catalog_calls import catalog_call
from tests.support.kafka import collect, eventually, publish
from tests.support.metrics import skip_to_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

RUN = uuid.uuid4().hex[:8]
CATALOG_DB, METRICS_DB = f"catalog_beacon_{RUN}", f"metrics_beacon_{RUN}"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PERSON_A, PERSON_B = f"{BROWSER} BoiTestA{RUN}", f"{BROWSER} BoiTestB{RUN}"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _id(tag: str) -> str:
    return f"c-{tag}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
async def published(stack: StackEndpoints) -> dict[str, str]:
    """Public calls in the catalog's database (the beacon accepts only those)."""
    ids = {name: _id(name) for name in ("x", "y", "z", "w")}
    repository = MongoCallRepository(stack.mongo_url, CATALOG_DB)
    await repository.insert_many([catalog_call(cid, ods=[4], sectors=["educación"]) for cid in ids.values()])
    await repository.close()
    return ids


@pytest.fixture(scope="module")
async def services(
    stack: StackEndpoints, published: dict[str, str]
) -> AsyncIterator[dict[str, ServiceProcess]]:
    await skip_to_end(stack.kafka_bootstrap, "metrics")
    # The calls the session published before are not this module's: metrics reads only the test's own.
    await skip_to_end(stack.kafka_bootstrap, "metrics-calls", CALLS_PUBLISHED)
    base = stack.service_env()
    catalog = ServiceProcess(
        "catalog", {**base, "BOI_MONGO_DATABASE": CATALOG_DB, "BOI_BEACON_RATE_BURST": "200"}
    ).start()
    strict = ServiceProcess(
        "catalog",
        {
            **base,
            "BOI_MONGO_DATABASE": CATALOG_DB,
            "BOI_BEACON_RATE_BURST": "2",
            "BOI_BEACON_RATE_PER_MINUTE": "1",
        },
    ).start()
    metrics = ServiceProcess("metrics", {**base, "BOI_MONGO_DATABASE": METRICS_DB}).start()
    yield {"catalog": catalog, "strict": strict, "metrics": metrics}
    for svc in (catalog, strict, metrics):
        svc.stop()


def _beacon(svc: ServiceProcess, ua: str, events: list[dict[str, Any]], **utm: str) -> httpx.Response:
    body = json.dumps({"events": events, **utm})
    headers = {"User-Agent": ua, "Content-Type": "application/json"}
    return httpx.post(f"{svc.url}/api/impresiones", content=body, headers=headers, timeout=10)


def _counts(metrics: ServiceProcess, call_id: str) -> dict[str, Any] | None:
    r = httpx.get(f"{metrics.url}/api/metrics/calls/{call_id}", timeout=10)
    return r.json() if r.status_code == 200 else None


async def _published(topic_calls: set[str], bootstrap: str, expected: int) -> list[dict[str, Any]]:
    return await collect(
        # The session's whole impressions topic is read from offset 0: allow a loaded CI machine time.
        bootstrap,
        IMPRESSIONS.name,
        lambda v: v.get("call_id") in topic_calls,
        expected=expected,
        timeout=180,
    )


async def test_people_count_once_per_call_day_and_kind_and_bots_not_at_all(
    stack: StackEndpoints, services: dict[str, ServiceProcess], published: dict[str, str]
) -> None:
    catalog, metrics = services["catalog"], services["metrics"]
    x, y = published["x"], published["y"]
    call = PublicCall(url="https://example.org/x", title="Beca X", summary="s", status="publicada", ods=[4])
    announced = CallPublished(call_id=x, version=1, change="published", call=call)
    await publish(
        stack.kafka_bootstrap, CALLS_PUBLISHED.name, announced.model_dump_json().encode(), key=x.encode()
    )
    # As in production, the call is known to metrics (its ODS, for the breakdowns) before people see it.
    await eventually(
        lambda: (
            httpx.get(f"{metrics.url}/api/metrics/report", timeout=10).json()["kpis"]["calls_published"] >= 1
        ),
        timeout=120,
    )

    seen = [
        {"call_id": x, "kind": "search_result", "position": 0},
        {"call_id": y, "kind": "search_result", "position": 1},
    ]
    for ua in (GOOGLEBOT, HEADLESS):  # not counted, but not told so either
        assert _beacon(catalog, ua, seen).status_code == 204
        assert (
            httpx.get(f"{catalog.url}/convocatorias/{x}", headers={"User-Agent": ua}, timeout=10).status_code
            == 200
        )
        assert httpx.get(f"{catalog.url}/ir/{x}", headers={"User-Agent": ua}, timeout=10).status_code == 302
    assert (
        _beacon(
            catalog, PERSON_A, seen, utm_source="LinkedIn", utm_medium="social", utm_campaign="top5"
        ).status_code
        == 204
    )
    assert _beacon(catalog, PERSON_A, seen).status_code == 204  # the same person again today
    for _ in range(2):
        page = httpx.get(f"{catalog.url}/convocatorias/{x}", headers={"User-Agent": PERSON_A}, timeout=10)
        assert page.status_code == 200
    assert httpx.get(f"{catalog.url}/ir/{x}", headers={"User-Agent": PERSON_A}, timeout=10).status_code == 302
    assert _beacon(catalog, PERSON_B, seen[:1]).status_code == 204

    events = await _published({x, y}, stack.kafka_bootstrap, expected=8)
    assert len(events) == 8  # 4 beacon results of A, 2 views, 1 click, 1 result of B; no bot
    ids = {e["visitor_id"] for e in events}
    assert len(ids) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    first = [e for e in events if e["channel"] == "social"]
    assert {(e["channel_detail"], e["utm_campaign"]) for e in first} == {("linkedin", "top5")}

    x_counts = await eventually(lambda: (c := _counts(metrics, x)) and c["total"] >= 4 and c, timeout=90)
    assert x_counts["by_kind"] == {"search_result": 2, "call_view": 1, "source_click": 1}
    assert x_counts["by_channel"]["search_result"] == {"social": 1, "web": 1}
    y_counts = await eventually(lambda: _counts(metrics, y), timeout=60)
    assert y_counts["by_kind"] == {"search_result": 1}

    report = httpx.get(f"{metrics.url}/api/metrics/report", timeout=10).json()
    today = next(r for r in report["series"] if r["key"] == date.today().isoformat())
    assert today["visitors"] >= 2
    ods = {row["key"]: row for row in report["breakdowns"]["ods"]}
    assert ods["4"]["impressions"] >= 2 and ods["4"]["views"] >= 1
    funnel = httpx.get(f"{metrics.url}/api/metrics/calls/{x}/funnel", timeout=10).json()["channels"]
    web = next(row for row in funnel if row["key"] == "web")
    assert (web["impressions"], web["views"], web["clicks"], web["ctr_view"], web["ctr_click"]) == (
        1,
        1,
        1,
        1.0,
        1.0,
    )


async def test_oversized_invalid_and_unknown_batches_are_refused_and_not_counted(
    stack: StackEndpoints, services: dict[str, ServiceProcess], published: dict[str, str]
) -> None:
    catalog, metrics, z = services["catalog"], services["metrics"], published["z"]
    one = {"call_id": z, "kind": "search_result", "position": 0}
    huge = _beacon(catalog, PERSON_A, [one] * 10_000)
    assert huge.status_code == 413 and "máximo 50" in huge.json()["detail"]
    assert _beacon(catalog, PERSON_A, [one] * 51).status_code == 422
    unknown = _beacon(catalog, PERSON_A, [one, {**one, "call_id": "c-no-such-call"}])
    assert unknown.status_code == 422 and "c-no-such-call" in unknown.json()["detail"]
    assert _beacon(catalog, PERSON_A, [{**one, "kind": "call_view"}]).status_code == 422  # views: server only
    assert _beacon(catalog, PERSON_A, [{**one, "email": "ana@example.org"}]).status_code == 422
    bad = httpx.post(f"{catalog.url}/api/impresiones", content=b"{not json", headers={"User-Agent": PERSON_A})
    assert bad.status_code == 422
    # The first accepted batch is the only one counted (same call, same partition: in order).
    assert _beacon(catalog, PERSON_B, [{**one, "kind": "share", "network": "whatsapp"}]).status_code == 204
    counts = await eventually(lambda: _counts(metrics, z), timeout=60)
    assert counts["total"] == 1 and counts["by_kind"] == {"share": 1}
    events = await _published({z}, stack.kafka_bootstrap, expected=1)
    assert [(e["kind"], e["channel_detail"]) for e in events] == [("share", "whatsapp")]


async def test_a_client_over_its_rate_gets_429_and_is_not_counted(
    stack: StackEndpoints, services: dict[str, ServiceProcess], published: dict[str, str]
) -> None:
    strict, w = services["strict"], published["w"]
    kinds = ["search_result", "share", "applied", "selected"]
    statuses = [_beacon(strict, PERSON_A, [{"call_id": w, "kind": k}]).status_code for k in kinds]
    assert statuses == [204, 204, 429, 429]
    counts = await eventually(
        lambda: (c := _counts(services["metrics"], w)) and c["total"] >= 2 and c, timeout=60
    )
    assert counts["by_kind"] == {"search_result": 1, "share": 1}


async def test_no_metrics_document_holds_an_address_a_user_agent_or_an_email(
    stack: StackEndpoints, services: dict[str, ServiceProcess], published: dict[str, str]
) -> None:
    await eventually(lambda: _counts(services["metrics"], published["x"]), timeout=60)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    try:
        db = client[METRICS_DB]
        names = await db.list_collection_names()
        assert {"call_counts", "call_days", "days", "seen"} <= set(names)
        scanned = 0
        for name in names:
            async for doc in db[name].find({}):
                text = json.dumps(doc, default=str)
                scanned += 1
                assert "127.0.0.1" not in text and RUN not in text.replace(METRICS_DB, "")
                assert "Mozilla" not in text and "Googlebot" not in text and "HeadlessChrome" not in text
                assert EMAIL.search(text) is None, (name, text)
        assert scanned > 5
    finally:
        await client.close()


async def test_salts_and_markers_of_two_days_ago_no_longer_exist(stack: StackEndpoints) -> None:
    today = datetime.now(UTC).date()
    salts = MongoVisitorSalts(stack.mongo_url, f"catalog_salts_{RUN}")
    rollups_client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    rollups = MongoRollups(rollups_client[f"metrics_markers_{RUN}"])
    try:
        old, yesterday = (
            await salts.salt_for(today - timedelta(days=2)),
            await salts.salt_for(today - timedelta(days=1)),
        )
        assert await salts.collection.count_documents({}) == 2
        assert await salts.salt_for(today) not in (old, yesterday)
        kept = sorted([d["_id"] async for d in salts.collection.find({})])
        assert kept == [(today - timedelta(days=1)).isoformat(), today.isoformat()]

        for back in (2, 1, 0):
            await rollups.claim(f"k{back}", today - timedelta(days=back), RecordPosition(0, back))
        assert await forget_markers(rollups, today) == 1
        assert sorted([d["_id"] async for d in rollups.seen.find({})]) == ["k0", "k1"]
    finally:
        await salts.close()
        await rollups_client.close()
