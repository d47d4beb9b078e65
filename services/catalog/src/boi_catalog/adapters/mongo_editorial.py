"""MongoDB adapter of the office's editorial work: the day's plans and the weekly bulletins (collection
`plans`, `_id` = `day:<date>` / `week:<YYYY-WW>`) and the social drafts' outbox (`social_posts`,
`_id` = `<subject>:<channel>`)."""

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DESCENDING, AsyncMongoClient, UpdateOne

from boi_catalog import SERVICE
from boi_shared.mongo import SERVER_SELECTION_TIMEOUT_MS, mongo_client


class MongoEditorialStore:
    def __init__(self, url: str, database: str, *, timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS) -> None:
        self._client: AsyncMongoClient[dict[str, Any]] = mongo_client(
            url, SERVICE, role="editorial", timeout_ms=timeout_ms
        )
        db = self._client[database]
        self._plans = db["plans"]
        self._posts = db["social_posts"]

    async def put_plan(self, kind: str, key: str, plan: Mapping[str, Any]) -> None:
        doc = {**plan, "kind": kind, "key": key}
        await self._plans.replace_one({"_id": f"{kind}:{key}"}, doc, upsert=True)

    async def get_plan(self, kind: str, key: str) -> dict[str, Any] | None:
        return await self._plans.find_one({"_id": f"{kind}:{key}"}, {"_id": 0})

    async def plans(self, kind: str, status: str | None = None, *, limit: int = 200) -> list[dict[str, Any]]:
        """Plans of `kind` (in `status` if given), newest key first."""
        query: dict[str, Any] = {"kind": kind, **({"status": status} if status else {})}
        cursor = self._plans.find(query, {"_id": 0}).sort("key", DESCENDING).limit(limit)
        return await cursor.to_list()

    async def add_drafts(self, drafts: Sequence[Mapping[str, Any]]) -> None:
        """Store new drafts; a draft already there (maybe edited or posted) is left as it is."""
        if drafts:
            ops = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": dict(d)}, upsert=True) for d in drafts]
            await self._posts.bulk_write(ops, ordered=False)

    async def drafts(self, *, limit: int = 200) -> list[dict[str, Any]]:
        """The outbox, newest first."""
        return await self._posts.find({}).sort("created_at", DESCENDING).limit(limit).to_list()

    async def get_draft(self, draft_id: str) -> dict[str, Any] | None:
        return await self._posts.find_one({"_id": draft_id})

    async def update_draft(self, draft_id: str, fields: Mapping[str, Any]) -> None:
        await self._posts.update_one({"_id": draft_id}, {"$set": dict(fields)})

    async def close(self) -> None:
        await self._client.close()
