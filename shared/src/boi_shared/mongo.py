"""The MongoDB client every service builds, with one set of options, and its readiness check.

- `tz_aware=True`: datetimes come back timezone-aware in UTC, as they went in; no adapter has to re-attach
  the zone, and a comparison with `datetime.now(UTC)` never meets a naive value.
- `serverSelectionTimeoutMS=5000`: an operation fails with `ServerSelectionTimeoutError` (a
  `ConnectionFailure`, transient for the error policy) after 5 s without a reachable server, so a message
  is retried with backoff instead of hanging, and an operator's command says MongoDB is down promptly.
- `appname="boi-<service>[-<role>]"`: the server's logs and `currentOp` say which service (and which of its
  clients) a connection belongs to.

The client is lazy: building it does no I/O; it connects on first use, inside the running event loop.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import AsyncMongoClient

SERVER_SELECTION_TIMEOUT_MS = 5000

Document = dict[str, Any]


def mongo_client(
    url: str, service: str, *, role: str = "", timeout_ms: int = SERVER_SELECTION_TIMEOUT_MS
) -> AsyncMongoClient[Document]:
    """A client for `service` (`role` names a second client of the same service, e.g. `visits`).
    `timeout_ms` is for tests that want a dead server reported at once; services keep the default."""
    appname = f"boi-{service}-{role}" if role else f"boi-{service}"
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, appname=appname)


def mongo_check(client: AsyncMongoClient[Any]) -> Callable[[], Awaitable[Any]]:
    """Readiness of a client: the server answers `ping`."""

    async def check() -> Any:
        return await client.admin.command("ping")

    return check
