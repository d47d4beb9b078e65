"""MongoDB adapter of the console users added at run time (`boi console user add`): collection
`console_users` of the catalog database, one document per user (`_id` = name, `role`, `hash`: a
PBKDF2-SHA256 hash, never a password)."""

from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from boi_catalog import SERVICE
from boi_shared.mongo import SERVER_SELECTION_TIMEOUT_MS, mongo_client


class MongoConsoleUsers:
    def __init__(self, url: str, database: str, *, timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS) -> None:
        self._client: AsyncMongoClient[dict[str, Any]] = mongo_client(
            url, SERVICE, role="users", timeout_ms=timeout_ms
        )
        self._users = self._client[database]["console_users"]

    async def all(self) -> dict[str, tuple[str, str]]:
        """Every stored user: {name: (role, hash)}."""
        docs = await self._users.find({}).to_list()
        return {str(d["_id"]): (str(d["role"]), str(d["hash"])) for d in docs}

    async def put(self, name: str, role: str, encoded: str) -> None:
        """Add the user, or replace its role and password."""
        doc = {"role": role, "hash": encoded, "updated_at": datetime.now(UTC)}
        await self._users.replace_one({"_id": name}, doc, upsert=True)

    async def remove(self, name: str) -> bool:
        return (await self._users.delete_one({"_id": name})).deleted_count == 1

    async def close(self) -> None:
        await self._client.close()
