"""Documents read by their `_id`s, one lookup each, a few at a time."""

import asyncio
from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

LOOKUPS = 8


async def by_ids(
    collection: AsyncCollection[dict[str, Any]], ids: Iterable[str], projection: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """The documents of these ids, each read by its `_id` (a few at a time). Not `{_id: {$in: ids}}`:
    FerretDB 1.24 answers `$in` with a scan of the whole collection (measured: 2.8 s for 100 ids among
    15,000 documents, against 2.4 ms per `_id` lookup), and `call_days` and `seen` grow without end."""
    gate = asyncio.Semaphore(LOOKUPS)

    async def one(doc_id: str) -> dict[str, Any] | None:
        async with gate:
            return await collection.find_one({"_id": doc_id}, projection)

    found = await asyncio.gather(*(one(i) for i in sorted(ids)))
    return [doc for doc in found if doc is not None]
