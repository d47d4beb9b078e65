"""Whether another process wrote to the ingest database since this one last read or wrote it.

The item store keeps what it stored in memory (FerretDB answers anything but an `_id` lookup with a scan
of the collection), which is right only while this process is the only writer: the service runs as one
replica, but an operator can run `boi ingest run` beside it. Every write bumps a counter kept in one
document (`fetch_state`, `_id: "~writes"`); a process whose last known count is not the stored one
reloads its memory before using it.
"""

import asyncio
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

MARKER_ID = "~writes"


class WriteSequence:
    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection
        self._known: int | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> int:
        doc = await self._collection.find_one({"_id": MARKER_ID})
        return int(doc["count"]) if doc is not None else 0

    async def still_mine(self) -> bool:
        """True when nobody wrote since this process last loaded or wrote (False before any load)."""
        return self._known is not None and await self.current() == self._known

    def loaded_at(self, count: int) -> None:
        """The memory was (re)loaded from the database as it was at `count`."""
        self._known = count

    async def wrote(self) -> bool:
        """Count one write of this process; False if another process wrote since this one's last step."""
        async with self._lock:  # this process's own increments are counted in order
            before = await self._collection.find_one_and_update(
                {"_id": MARKER_ID},
                {"$inc": {"count": 1}},
                upsert=True,
                return_document=ReturnDocument.BEFORE,
            )
            count = int(before["count"]) if before is not None else 0
            mine = self._known is not None and count == self._known
            self._known = count + 1 if mine else None
            return mine
