"""The daily salts of visitor ids in MongoDB (`visitor_salts`, one document per UTC day).

Replicas agree on a day's salt without coordination: each tries to insert a random one under the day's
`_id`, the first insert wins and the others read it. Salts older than yesterday are deleted whenever a new
day's salt is made (and by `forget_before`); FerretDB has no TTL indexes, so the deletion is explicit.
"""

import secrets
from datetime import UTC, date, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from boi_catalog import SERVICE
from boi_catalog.domain.visits import oldest_kept_day
from boi_shared.mongo import SERVER_SELECTION_TIMEOUT_MS, mongo_client

SALTS = "visitor_salts"


class MongoVisitorSalts:
    """Salt per day; the current one is kept in memory until the day changes."""

    def __init__(self, url: str, database: str, *, timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS) -> None:
        self._client: AsyncMongoClient[dict[str, Any]] = mongo_client(
            url, SERVICE, role="visits", timeout_ms=timeout_ms
        )
        self.collection = self._client[database][SALTS]
        self._current: tuple[date, bytes] | None = None

    async def salt_for(self, day: date) -> bytes:
        if self._current is not None and self._current[0] == day:
            return self._current[1]
        key = day.isoformat()
        try:
            await self.collection.insert_one(
                {"_id": key, "salt": secrets.token_bytes(32), "created_at": datetime.now(UTC)}
            )
            await self.forget_before(oldest_kept_day(day))
        except DuplicateKeyError:
            pass  # another replica made today's salt first
        doc = await self.collection.find_one({"_id": key})
        if doc is None:  # deleted between insert and read by a clock far ahead: make it again
            raise RuntimeError(f"visitor salt of {key} vanished")
        salt = bytes(doc["salt"])
        self._current = (day, salt)
        return salt

    async def forget_before(self, day: date) -> int:
        """Delete the salts of days before `day`; how many were deleted."""
        result = await self.collection.delete_many({"_id": {"$lt": day.isoformat()}})
        return result.deleted_count

    async def close(self) -> None:
        await self._client.close()
