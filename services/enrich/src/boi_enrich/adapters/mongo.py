"""MongoDB adapters: the enrichment cache (collection `cache`) and the cost ledger (collection `ledger`).

Runs unchanged on MongoDB 7/8 and FerretDB 1.x: single-document upserts and `$inc` only. A connection
problem raises `pymongo.errors.ConnectionFailure`, which the service's error policy treats as transient.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from pymongo import AsyncMongoClient

from boi_enrich import SERVICE
from boi_enrich.ports import LedgerEntry
from boi_shared.events import Enrichment
from boi_shared.mongo import mongo_client

CACHE, LEDGER = "cache", "ledger"


def day_id(provider: str, day: date) -> str:
    return f"day:{day.isoformat()}:{provider}"


class MongoEnrichmentCache:
    """`EnrichmentCache` on MongoDB: `{_id: key, enrichment, stored_at}`."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._docs = client[database][CACHE]

    async def get(self, key: str) -> Enrichment | None:
        doc = await self._docs.find_one({"_id": key})
        if doc is None:
            return None
        try:
            return Enrichment.model_validate(doc["enrichment"])
        except (KeyError, ValidationError):  # written by an older schema: a miss, paid again once
            return None

    async def put(self, key: str, enrichment: Enrichment) -> None:
        doc = {"enrichment": enrichment.model_dump(mode="json"), "stored_at": datetime.now(UTC)}
        await self._docs.replace_one({"_id": key}, doc, upsert=True)


class MongoCostLedger:
    """`CostLedger` on MongoDB: one `kind: call` document per paid enrichment and one `kind: day` document
    per provider and UTC day whose counters are incremented atomically (shared by every replica)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._docs = client[database][LEDGER]

    async def record(self, entry: LedgerEntry) -> None:
        day = entry.day.isoformat()
        await self._docs.insert_one(
            {
                "_id": uuid.uuid4().hex,
                "kind": "call",
                "day": day,
                "at": datetime.now(UTC),
                "provider": entry.provider,
                "model": entry.model,
                "cache_key": entry.cache_key,
                "outcome": entry.outcome,
                "requests": entry.requests,
                "input_tokens": entry.input_tokens,
                "output_tokens": entry.output_tokens,
                "cost_usd": entry.cost_usd,
            }
        )
        await self._docs.update_one(
            {"_id": day_id(entry.provider, entry.day)},
            {
                "$set": {"kind": "day", "day": day, "provider": entry.provider},
                "$inc": {
                    "calls": 1,
                    "requests": entry.requests,
                    "input_tokens": entry.input_tokens,
                    "output_tokens": entry.output_tokens,
                    "cost_usd": entry.cost_usd,
                },
            },
            upsert=True,
        )

    async def spent(self, provider: str, day: date) -> float:
        doc = await self._docs.find_one({"_id": day_id(provider, day)})
        return float(doc.get("cost_usd", 0.0)) if doc else 0.0


class MongoStore:
    """The service's database: one lazy client (it connects on first use, inside the event loop)."""

    def __init__(self, url: str, database: str) -> None:
        self.client: AsyncMongoClient[dict[str, Any]] = mongo_client(url, SERVICE)
        self.cache = MongoEnrichmentCache(self.client, database)
        self.ledger = MongoCostLedger(self.client, database)

    async def ping(self) -> bool:
        await self.client.admin.command("ping")
        return True

    async def close(self) -> None:
        await self.client.close()
