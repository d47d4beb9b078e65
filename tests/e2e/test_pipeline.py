"""The whole path on the real stack: a real feed from ../shared/data becomes searchable calls with their
enrichment (every call, each hit equal to the call of record), stored once each even when ingested twice,
delivered to a partner webhook exactly once with a valid signature (counted after the pipeline is quiet:
every consumer group has read its topic to the end, so a duplicate would have arrived), and counted as
impressions when shown."""

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from pymongo import MongoClient
from standardwebhooks import Webhook

from boi_notify.domain.signing import secret_from_key
from tests.support.kafka import eventually, group_lag
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints
from tests.support.webhook import ReceivedRequest, WebhookReceiver

FEED = "feeds/mauritius_govmu_scholarships_atom_2024-04-25.xml"
SERVICES = ("metrics", "notify", "catalog", "enrich", "ingest")
# In path order: a group whose lag is read as 0 has published everything it will for what it read.
GROUPS = (("enrich", "calls.raw.v1"), ("catalog", "calls.enriched.v1"), ("notify", "calls.published.v1"))
HIT_FIELDS = ("title", "summary", "call_type", "deadline", "colombia_eligible", "url")


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    rx = WebhookReceiver().start()
    yield rx
    rx.stop()


@pytest.fixture(scope="module")
def pipeline(stack: StackEndpoints, receiver: WebhookReceiver) -> Iterator[dict[str, Any]]:
    env = {
        **stack.service_env(),
        "BOI_ADMIN_TOKEN": secrets.token_urlsafe(16),
        "BOI_WEBHOOK_SECRET": secrets.token_urlsafe(16),
        "BOI_WEBHOOK_URLS": receiver.url,
        "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
        "BOI_WEBHOOK_ALLOW_HTTP": "true",  # the local receiver is plain http
        "BOI_INGEST_INTERVAL_SECONDS": "0",
        "BOI_MONGO_DATABASE": "",
        "BOI_CATALOG_AUTO_PUBLISH": "true",
        "BOI_API_RATE_PER_MINUTE": "0",  # the limiter has its own tests; this one polls the API
    }
    running = {name: ServiceProcess(name, env) for name in SERVICES}
    try:
        for svc in running.values():
            svc.start()
        yield {"env": env, **running}
    finally:
        for svc in running.values():
            svc.stop()


def _ingest(pipeline: dict[str, Any], feed: Path) -> dict[str, Any]:
    response = httpx.post(
        f"{pipeline['ingest'].url}/api/ingest/run",
        json={"sources": [str(feed)]},
        headers={"Authorization": f"Bearer {pipeline['env']['BOI_ADMIN_TOKEN']}"},
        timeout=120,
    )
    assert response.status_code == 200, response.text
    reports: list[dict[str, Any]] = response.json()["reports"]
    return reports[0]


async def test_real_feed_flows_through_all_five_services(
    stack: StackEndpoints, shared_data: Path, pipeline: dict[str, Any], receiver: WebhookReceiver
) -> None:
    feed = shared_data / FEED
    entries = feedparser.parse(feed.read_bytes()).entries
    links = [e.link.strip() for e in entries]
    assert len(entries) == 20

    first = _ingest(pipeline, feed)
    assert first["new"] == len(entries), first

    catalog = MongoClient(stack.mongo_url)["catalog"]["calls"]

    def all_stored() -> list[dict[str, Any]]:
        docs = list(catalog.find({"sources.item_url": {"$in": links}}))
        return docs if len(docs) == len(entries) else []

    docs = await eventually(all_stored, timeout=120)
    call_ids = [d["_id"] for d in docs]

    # every call is public through the catalog API, with the enriched fields
    site = pipeline["catalog"].url
    details: dict[str, dict[str, Any]] = {}
    for call_id in call_ids:
        found = httpx.get(f"{site}/api/calls/{call_id}", timeout=10)
        assert found.status_code == 200, (call_id, found.text)
        details[call_id] = body = found.json()
        assert body["title"] and body["summary"]
        assert "call_type" in body and "colombia_eligible" in body

    def searchable() -> dict[str, dict[str, Any]]:
        """Indexing trails storage by a moment: every call must be found by its own title, and each hit
        must show what the call of record holds."""
        hits: dict[str, dict[str, Any]] = {}
        for call_id, detail in details.items():
            r = httpx.get(f"{site}/api/calls", params={"q": detail["title"], "limit": 50}, timeout=10)
            assert r.status_code == 200
            hit = next((h for h in r.json()["hits"] if h["call_id"] == call_id), None)
            if hit is None or any(hit[f] != detail[f] for f in HIT_FIELDS):
                return {}
            hits[call_id] = hit
        return hits

    hits = await eventually(searchable, timeout=120)
    assert set(hits) == set(call_ids)
    for call_id, hit in hits.items():
        assert {f: hit[f] for f in HIT_FIELDS} == {f: details[call_id][f] for f in HIT_FIELDS}

    # ingesting the same feed again stores nothing twice and emits nothing new
    second = _ingest(pipeline, feed)
    assert second["new"] == 0 and second["unchanged"] == len(entries), second
    assert catalog.count_documents({"_id": {"$in": call_ids}}) == len(entries)
    assert catalog.count_documents({"url": {"$in": [d["url"] for d in docs]}}) == len(entries)

    # every call reached the partner webhook, signed
    def delivered() -> list[tuple[ReceivedRequest, dict[str, Any]]]:
        mine = [(r, json.loads(r.body)) for r in receiver.requests]
        mine = [(r, body) for r, body in mine if body.get("call_id") in call_ids]
        return mine if len({body["call_id"] for _, body in mine}) == len(entries) else []

    await eventually(delivered, timeout=120)

    # then the pipeline goes quiet: every group has read its topic to the end (in path order), so every
    # delivery that will ever happen has happened; counted now, a duplicate would show
    async def quiet() -> bool:
        for group, topic in GROUPS:
            if await group_lag(stack.kafka_bootstrap, group, topic) != 0:
                return False
        return True

    await eventually(quiet, timeout=120, interval=1.0)
    deliveries = delivered()
    per_call = {call_id: 0 for call_id in call_ids}
    for _, body in deliveries:
        per_call[body["call_id"]] += 1
    assert per_call == {call_id: 1 for call_id in call_ids}, "each call is delivered exactly once"
    # The endpoint seeded from BOI_WEBHOOK_URLS signs with whsec_ + base64 of BOI_WEBHOOK_SECRET; the
    # partner verifies with the stock Standard Webhooks library.
    partner = Webhook(secret_from_key(pipeline["env"]["BOI_WEBHOOK_SECRET"].encode()))
    for request, body in deliveries:
        assert partner.verify(request.body, request.headers) == body
    assert catalog.count_documents({"_id": {"$in": call_ids}}) == len(entries)

    # impressions of the search results shown above are counted per call
    shown = call_ids[0]
    metrics = pipeline["metrics"].url

    def counted() -> dict[str, Any] | None:
        r = httpx.get(f"{metrics}/api/metrics/calls/{shown}", timeout=5)
        return r.json() if r.status_code == 200 and r.json().get("total", 0) >= 1 else None

    counts = await eventually(counted, timeout=60)
    assert counts["by_kind"]["search_result"] >= 1
