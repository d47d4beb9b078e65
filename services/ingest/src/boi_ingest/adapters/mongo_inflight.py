"""Events published but not yet recorded (`in_flight`): written before a chunk is published, deleted once
its records are stored. What a crash leaves here is published again (same event id, version and content)
and recorded by the next run of the source, before it plans anything, so a version that may have reached
Kafka is never handed out again with other content.

One document per event (`_id: "<call id>@<version>"`, `source_id`, `event`, `records`). The collection
holds only the chunks in flight: reading a source's documents (a scan on FerretDB) stays cheap."""

import dataclasses
from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError

from boi_ingest.domain.dedup import Signature
from boi_ingest.domain.plan import InFlight, ItemRecord
from boi_shared.events import CallIngested

IN_FLIGHT = "in_flight"


def _key(event: CallIngested) -> str:
    return f"{event.call_id}@{event.version}"


def _record_doc(record: ItemRecord) -> dict[str, Any]:
    doc = dataclasses.asdict(record)
    doc["event"] = record.event.model_dump(mode="json") if record.event is not None else None
    return doc


def _signature_doc(signature: Signature) -> dict[str, Any]:
    return {**dataclasses.asdict(signature), "deadlines": sorted(signature.deadlines)}


def _signature(doc: dict[str, Any]) -> Signature:
    return Signature(
        call_id=doc["call_id"],
        tokens=tuple(doc["tokens"]),
        deadlines=frozenset(doc["deadlines"]),
        funders=tuple(doc["funders"]),
        item_id=doc["item_id"],
        source_id=doc["source_id"],
    )


def _record(doc: dict[str, Any]) -> ItemRecord:
    event = doc.pop("event", None)
    return ItemRecord(**doc, event=CallIngested.model_validate(event) if event is not None else None)


class MongoInFlight:
    """The `in_flight` collection of the ingest database (see the module docstring)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._in_flight = client[database][IN_FLIGHT]

    async def hold(self, source_id: str, flights: Sequence[InFlight]) -> None:
        docs = [
            {
                "_id": _key(f.event),
                "source_id": source_id,
                "event": f.event.model_dump(mode="json"),
                "records": [_record_doc(r) for r in f.records],
                "signatures": [_signature_doc(s) for s in f.signatures],
            }
            for f in flights
        ]
        if not docs:
            return
        try:
            await self._in_flight.insert_many(docs, ordered=False)
        except BulkWriteError as exc:  # the same event held again (a retried run): already there
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise

    async def held(self, source_id: str) -> list[InFlight]:
        flights = [
            InFlight(
                CallIngested.model_validate(doc["event"]),
                tuple(_record(dict(r)) for r in doc["records"]),
                tuple(_signature(s) for s in doc.get("signatures", ())),
            )
            async for doc in self._in_flight.find({"source_id": source_id})
        ]
        return sorted(flights, key=lambda f: (f.event.call_id, f.event.version))

    async def release(self, events: Sequence[CallIngested]) -> None:
        if events:
            await self._in_flight.delete_many({"_id": {"$in": [_key(e) for e in events]}})
