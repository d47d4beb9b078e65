"""The metrics service on the real stack: impressions in, counts via the API and in MongoDB; poison to
the DLQ."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from boi_metrics import SERVICE
from boi_shared.checks import KAFKA, MONGODB
from boi_shared.events import ImpressionRecorded
from tests.support.kafka import collect, eventually, publish
from tests.support.metrics import skip_to_end
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

TOPIC = "metrics.impressions.v1"
DATABASE = f"metrics_test_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def metrics(stack: StackEndpoints) -> AsyncIterator[ServiceProcess]:
    await skip_to_end(stack.kafka_bootstrap, SERVICE)
    svc = ServiceProcess("metrics", {**stack.service_env(), "BOI_MONGO_DATABASE": DATABASE}).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def call_counts(stack: StackEndpoints) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]["call_counts"]
    await client.close()


def _call() -> str:
    return f"c-{uuid.uuid4().hex[:24]}"


async def _impress(stack: StackEndpoints, call_id: str, kind: str, **fields: Any) -> None:
    event = ImpressionRecorded.model_validate({"call_id": call_id, "kind": kind, **fields})
    await publish(stack.kafka_bootstrap, TOPIC, event.model_dump_json().encode(), key=call_id.encode())


async def _counts(metrics: ServiceProcess, call_id: str, total: int) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        async with httpx.AsyncClient(base_url=metrics.url) as client:
            response = await client.get(f"/api/metrics/calls/{call_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body if body["total"] >= total else None

    result: dict[str, Any] = await eventually(reached)
    return result


async def test_impressions_are_counted_per_kind_and_day(
    stack: StackEndpoints,
    metrics: ServiceProcess,
    call_counts: AsyncCollection[dict[str, Any]],
) -> None:
    call = _call()
    day = datetime(2025, 3, 1, 15, 0, tzinfo=UTC)
    kinds = ["search_result"] * 3 + ["call_view"] * 2 + ["source_click"]
    for kind in kinds:
        await _impress(stack, call, kind, occurred_at=day.isoformat())
    body = await _counts(metrics, call, len(kinds))
    assert body == {
        "call_id": call,
        "total": 6,
        "by_kind": {"search_result": 3, "call_view": 2, "source_click": 1},
        "by_day": {"2025-03-01": 6},
        "by_channel": {"search_result": {"web": 3}, "call_view": {"web": 2}, "source_click": {"web": 1}},
    }
    doc = await call_counts.find_one({"_id": call})
    assert doc is not None
    assert (doc["total"], doc["by_kind"], doc["by_day"]) == (6, body["by_kind"], body["by_day"])
    assert len(doc["offsets"]) == 1  # one key → one partition; its watermark is the last offset


async def test_unknown_call_is_404_and_top_ranks_by_total(
    stack: StackEndpoints,
    metrics: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=metrics.url) as client:
        missing = await client.get(f"/api/metrics/calls/{_call()}")
        assert missing.status_code == 404
        assert "No impressions" in missing.json()["detail"]
        assert (await client.get("/api/metrics/calls/not a valid id!")).status_code == 422
        assert (await client.get("/api/metrics/top", params={"limit": 0})).status_code == 422
    popular = _call()
    for _ in range(8):
        await _impress(stack, popular, "call_view")
    await _counts(metrics, popular, 8)
    async with httpx.AsyncClient(base_url=metrics.url) as client:
        top = (await client.get("/api/metrics/top", params={"limit": 2})).json()["calls"]
    assert len(top) == 2
    assert top[0] == {"call_id": popular, "total": 8, "by_kind": {"call_view": 8}}
    assert top[1]["total"] <= 8


async def test_malformed_message_goes_to_dlq_and_next_is_counted(
    stack: StackEndpoints,
    metrics: ServiceProcess,
) -> None:
    marker = uuid.uuid4().hex
    await publish(stack.kafka_bootstrap, TOPIC, json.dumps({"junk": marker}).encode(), key=b"poison")
    [letter] = await collect(stack.kafka_bootstrap, f"{TOPIC}.dlq", lambda v: marker in v.get("payload", ""))
    assert letter["error_type"] == "ValidationError"
    assert letter["consumer_group"] == "metrics"
    call = _call()
    await _impress(stack, call, "email", channel="email")
    assert (await _counts(metrics, call, 1))["by_kind"] == {"email": 1}


async def test_readiness_names_its_checks_like_every_service(metrics: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=metrics.url) as client:
        ready = (await client.get("/readyz")).json()
    assert ready == {"ready": True, "checks": {KAFKA: "ok", MONGODB: "ok"}}
