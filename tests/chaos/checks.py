"""End-of-run checks: what a user would have lost, as counts, from the stores and topics themselves."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError
from pymongo import MongoClient

from boi_catalog.adapters.documents import from_document
from boi_catalog.domain.call import RETIRADA
from boi_catalog.domain.search import search_document
from boi_shared.events import (
    BulletinPublished,
    CallEnriched,
    CallIngested,
    CallPublished,
    ImpressionRecorded,
    WebhookRetryDue,
)
from tests.chaos.load import Item

EVENT_OF_TOPIC = {
    "calls.raw.v1": CallIngested,
    "calls.enriched.v1": CallEnriched,
    "calls.published.v1": CallPublished,
    "metrics.impressions.v1": ImpressionRecorded,
    "bulletins.published.v1": BulletinPublished,
    "notify.webhook-retries.v1": WebhookRetryDue,
}
COMPARED = ("title", "summary", "status", "call_type", "deadline", "colombia_eligible", "url", "funder")


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    duplicated: int = 0
    index_difference: list[str] = field(default_factory=list)
    notifications_lost: int = 0
    notifications_duplicated: int = 0
    valid_dead_letters: int = 0
    dead_letter_reasons: Counter[str] = field(default_factory=Counter)
    impressions_sent: int = 0
    impressions_counted: int = 0

    @property
    def failed(self) -> bool:
        return bool(
            self.lost
            or self.duplicated
            or self.index_difference
            or self.notifications_lost
            or self.notifications_duplicated
            or self.valid_dead_letters
            or self.impressions_sent != self.impressions_counted
        )


def catalog_docs(mongo_url: str) -> dict[str, dict[str, Any]]:
    with MongoClient(mongo_url, tz_aware=True) as client:
        return {doc["_id"]: doc for doc in client["catalog"]["calls"].find({})}


def check_calls(
    items: list[Item], raw: list[dict[str, Any]], docs: dict[str, dict[str, Any]], f: Findings
) -> None:
    """Lost: an item whose call is missing, or not at its latest content; duplicated: one URL, two calls."""
    latest: dict[str, dict[str, Any]] = {}
    history: dict[str, list[str]] = {}
    for event in raw:
        cid = event.get("call_id")
        if cid and event.get("version", 0) >= latest.get(cid, {}).get("version", 0):
            latest[cid] = event
        if cid:
            history.setdefault(cid, []).append(f"v{event.get('version')}:{event['call']['content_hash'][:8]}")
    for item in items:
        event, doc = latest.get(item.call_id), docs.get(item.call_id)
        if event is None or event["call"]["title"] != item.title:
            f.lost.append(f"{item.call_id}: ingest never published version {item.version}")
        elif doc is None:
            f.lost.append(f"{item.call_id}: not in MongoDB")
        elif doc.get("content_hash") != event["call"]["content_hash"]:
            held = f"v{doc.get('version')}:{str(doc.get('content_hash'))[:8]}"
            raw_seen = ", ".join(history.get(item.call_id, []))
            f.lost.append(
                f"{item.call_id}: MongoDB holds an older version ({held}; calls.raw.v1: {raw_seen})"
            )
        elif item.withdraw_tried and not item.withdrawn:
            f.lost.append(f"{item.call_id}: the console could not withdraw it")
        elif item.withdrawn and doc.get("status") != RETIRADA:
            f.lost.append(f"{item.call_id}: withdrawal lost (status {doc.get('status')})")
    by_url = Counter(doc.get("url") for doc in docs.values())
    f.duplicated = sum(n - 1 for n in by_url.values() if n > 1)


def check_index(docs: dict[str, dict[str, Any]], meili_url: str, key: str, f: Findings) -> None:
    """Every call in MongoDB is in Meilisearch with the same values, and nothing else is."""
    indexed: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=meili_url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
        offset = 0
        while True:
            page = http.get("/indexes/calls/documents", params={"limit": 1000, "offset": offset}).json()
            for doc in page.get("results", []):
                indexed[doc["id"]] = doc
            offset += 1000
            if offset >= page.get("total", 0):
                break
    for cid, doc in docs.items():
        expected = search_document(from_document(doc))
        got = indexed.pop(cid, None)
        if got is None:
            f.index_difference.append(f"{cid}: missing from the index")
            continue
        wrong = [k for k in COMPARED if expected.get(k) != got.get(k)]
        if wrong:
            f.index_difference.append(f"{cid}: {', '.join(wrong)} differ")
    f.index_difference += [f"{cid}: in the index, not in MongoDB" for cid in indexed]


def check_notifications(published: list[dict[str, Any]], delivered: list[str], f: Findings) -> None:
    """Every calls.published.v1 event reaches the partner endpoint once."""
    wanted = {str(e["event_id"]) for e in published if "event_id" in e}
    seen = Counter(delivered)
    f.notifications_lost = len(wanted - set(seen))
    f.notifications_duplicated = sum(n - 1 for n in seen.values() if n > 1)


def check_dead_letters(letters: dict[str, list[dict[str, Any]]], f: Findings) -> None:
    """A dead letter whose payload is a valid event of its topic is valid data lost to a failure."""
    for topic, records in letters.items():
        model = EVENT_OF_TOPIC[topic]
        for letter in records:
            reason = f"{topic}: {letter.get('error_type')}: {str(letter.get('error'))[:120]}"
            f.dead_letter_reasons[reason] += 1
            try:
                model.model_validate_json(letter.get("payload") or "")
            except ValidationError:
                continue
            f.valid_dead_letters += 1
