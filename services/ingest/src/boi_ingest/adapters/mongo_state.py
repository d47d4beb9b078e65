"""Dedup signatures and conditional-GET validators in the ingest database (collections `signatures` and
`fetch_state`). Plain single-collection operations only, so FerretDB 1.x and MongoDB behave alike; new
signatures are inserted in bulk (updates are slow on FerretDB)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError

from boi_ingest.domain.dedup import Signature
from boi_ingest.domain.model import Validators

SIGNATURES = "signatures"
FETCH_STATE = "fetch_state"


class MongoSignatureStore:
    """Per item: `{_id: item id, call_id, tokens, deadlines, funders, source_id, seen_at}`."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._signatures = client[database][SIGNATURES]

    async def signatures(self, since: datetime) -> list[Signature]:
        cursor = self._signatures.find({"seen_at": {"$gte": since}})
        return [
            Signature(
                call_id=doc["call_id"],
                tokens=tuple(doc.get("tokens", ())),
                deadlines=frozenset(doc.get("deadlines", ())),
                funders=tuple(doc.get("funders", ())),
                item_id=doc["_id"],
                source_id=doc.get("source_id", ""),
            )
            async for doc in cursor
        ]

    async def add_signatures(self, signatures: Sequence[Signature], seen_at: datetime) -> None:
        docs = [
            {
                "_id": s.item_id,
                "call_id": s.call_id,
                "tokens": list(s.tokens),
                "deadlines": sorted(s.deadlines),
                "funders": list(s.funders),
                "source_id": s.source_id,
                "seen_at": seen_at,
            }
            for s in signatures
        ]
        if not docs:
            return
        try:
            await self._signatures.insert_many(docs, ordered=False)
            return
        except BulkWriteError as exc:
            failed = [e["index"] for e in exc.details.get("writeErrors", [])]
        except KeyError:  # FerretDB's bulk answers can break PyMongo's result parsing
            failed = list(range(len(docs)))
        for i in failed:  # an item whose title changed: its signature is replaced
            await self._signatures.replace_one({"_id": docs[i]["_id"]}, docs[i], upsert=True)


class MongoFetchStateStore:
    """Per source: `{_id: source id, etag, last_modified}` of its last fully ingested document."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._state = client[database][FETCH_STATE]

    async def validators(self, source_id: str) -> Validators:
        doc = await self._state.find_one({"_id": source_id})
        if doc is None:
            return Validators()
        return Validators(etag=doc.get("etag"), last_modified=doc.get("last_modified"))

    async def save_validators(self, source_id: str, validators: Validators) -> None:
        await self._state.replace_one(
            {"_id": source_id},
            {"etag": validators.etag, "last_modified": validators.last_modified},
            upsert=True,
        )
