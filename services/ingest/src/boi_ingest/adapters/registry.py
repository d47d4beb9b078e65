"""MongoSourceRegistry: the registered sources and their status, in the ingest database (`sources`).

One document per source: `{_id: id, config: {...}, status: {...}, created_at, updated_at}`. Plain
single-document operations only (FerretDB 1.x has no transactions); counters use `$inc`, so two writers
never lose a run. A declared request is kept as a JSON string (`config.request`): its body is the API's
own JSON, whose keys (`metadata.status`, `$…`) MongoDB and FerretDB would refuse as field names.
"""

import json
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

from boi_ingest.domain.sources import (
    RegisteredSource,
    RunCounts,
    SourceConfig,
    SourceExistsError,
    SourceStatus,
    UnknownSourceError,
)

COLLECTION = "sources"


def _stored(config: SourceConfig) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    if data.get("request") is not None:
        data["request"] = json.dumps(data["request"], ensure_ascii=False)
    return data


def _config(data: dict[str, Any]) -> SourceConfig:
    if isinstance(data.get("request"), str):
        data = {**data, "request": json.loads(data["request"])}
    return SourceConfig.model_validate(data)


def _registered(doc: dict[str, Any]) -> RegisteredSource:
    status = doc.get("status") or {}
    for key in ("last_run_at", "last_success_at", "last_error_at", "backoff_until"):
        if isinstance(status.get(key), datetime):  # naive from a client without tz_aware
            status[key] = status[key].replace(tzinfo=UTC)
    return RegisteredSource(config=_config(doc["config"]), status=SourceStatus(**status))


class MongoSourceRegistry:
    """The sources registry on MongoDB (FerretDB here)."""

    def __init__(self, client: AsyncMongoClient[dict[str, Any]], database: str) -> None:
        self._sources = client[database][COLLECTION]

    async def add(self, config: SourceConfig) -> None:
        now = datetime.now(UTC)
        doc = {
            "_id": config.id,
            "config": _stored(config),
            "status": SourceStatus().model_dump(mode="python"),
            "created_at": now,
            "updated_at": now,
        }
        try:
            await self._sources.insert_one(doc)
        except DuplicateKeyError:
            raise SourceExistsError(f"a source with id {config.id!r} already exists") from None

    async def get(self, source_id: str) -> RegisteredSource:
        doc = await self._sources.find_one({"_id": source_id})
        if doc is None:
            raise UnknownSourceError(source_id)
        return _registered(doc)

    async def find(self, *, enabled_only: bool = False) -> list[RegisteredSource]:
        query = {"config.enabled": True} if enabled_only else {}
        docs = await self._sources.find(query).sort("_id", 1).to_list(None)
        return [_registered(doc) for doc in docs]

    async def set_enabled(self, source_id: str, enabled: bool) -> None:
        result = await self._sources.update_one(
            {"_id": source_id},
            {"$set": {"config.enabled": enabled, "updated_at": datetime.now(UTC)}},
        )
        if result.matched_count == 0:
            raise UnknownSourceError(source_id)

    async def remove(self, source_id: str) -> None:
        result = await self._sources.delete_one({"_id": source_id})
        if result.deleted_count == 0:
            raise UnknownSourceError(source_id)

    async def seed(self, configs: list[SourceConfig]) -> int:
        """Register the sources not registered yet (an operator's later changes are kept); how many."""
        added = 0
        for config in configs:
            try:
                await self.add(config)
                added += 1
            except SourceExistsError:
                continue
        return added

    async def record_run(self, source_id: str, counts: RunCounts, errors: list[str], at: datetime) -> int:
        """The outcome of one run: counts of the run and running totals; last success or last error, and
        the failed runs in a row (returned; a success resets it and lifts the back-off)."""
        fields: dict[str, Any] = {"status.last_run_at": at, "status.last_run": counts.model_dump()}
        increments = {f"status.totals.{k}": v for k, v in counts.model_dump().items()}
        if errors:
            fields |= {"status.last_error_at": at, "status.last_error": "; ".join(errors)[:2000]}
            increments["status.consecutive_failures"] = 1
        else:
            fields |= {
                "status.last_success_at": at,
                "status.consecutive_failures": 0,
                "status.backoff_until": None,
            }
        doc = await self._sources.find_one_and_update(
            {"_id": source_id},
            {"$set": fields, "$inc": increments},
            return_document=ReturnDocument.AFTER,  # no projection: FerretDB 1.24 lacks it here
        )
        return int(((doc or {}).get("status") or {}).get("consecutive_failures") or 0)

    async def set_backoff(self, source_id: str, until: datetime) -> None:
        await self._sources.update_one({"_id": source_id}, {"$set": {"status.backoff_until": until}})
