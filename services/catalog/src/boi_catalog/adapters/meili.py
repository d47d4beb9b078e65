"""Meilisearch adapter: the public `calls` index — its settings applied (`meili_settings`), documents
written, indexing tasks followed. (The site's searches: `web.public_search`; keys and rebuilds:
`meili_admin`.)

Settings use the official client, which is synchronous: they run in a worker thread. Document writes,
task polling and searches use httpx with keep-alive disabled. Measured on these machines with 20 hits
(~7.8 KB): 44 ms per search on a keep-alive connection (server Nagle / client delayed-ACK on responses
> ~2 KB, see docs/architecture.md) against 3 ms with a fresh connection per search.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
import meilisearch
import pydantic_core
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from meilisearch.models.task import Task

from boi_catalog.adapters.meili_settings import INDEX_SETTINGS
from boi_catalog.ports import TaskOutcome
from boi_shared.errors import PermanentError, TransientError

T = TypeVar("T")
log = logging.getLogger("boi.catalog.meili")

TASK_TIMEOUT_MS = 30_000
INDEXING_TIMEOUT_S = 600.0
"""A big task on a big index can take minutes when the machine is busy; giving up only re-indexes."""
# Status codes worth retrying: the server is struggling, or an operator must fix the key.
_RETRY_STATUSES = {401, 403, 408, 429}
_FINISHED = ("succeeded", "failed", "canceled")


def _is_transient_status(status: int) -> bool:
    return status >= 500 or status in _RETRY_STATUSES


class MeiliSearchIndex:
    """`SearchIndex` on Meilisearch. Unavailability surfaces as `TransientError`."""

    def __init__(self, url: str, api_key: str, index_uid: str, *, timeout: float = 5.0) -> None:
        self.uid = index_uid
        self.url = url
        self._client = meilisearch.Client(url, api_key or None, timeout=int(max(timeout, 1)))
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(
            base_url=url,
            headers=headers,
            timeout=timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise TransientError(f"Meilisearch unavailable: {exc}") from exc
        except MeilisearchApiError as exc:
            if _is_transient_status(exc.status_code):
                raise TransientError(f"Meilisearch refused: {exc}") from exc
            raise PermanentError(f"Meilisearch rejected the request: {exc}") from exc

    async def _wait(self, task_uid: int) -> Task:
        return await self._call(self._client.wait_for_task, task_uid, TASK_TIMEOUT_MS, 50)

    async def apply_settings(self, *, wait_seconds: float = 60.0) -> None:
        """Create the index and apply its settings (idempotent, run at start-up). Waits up to
        `wait_seconds` for Meilisearch to come up (it may start after us), then gives up."""
        deadline = time.monotonic() + wait_seconds
        delay = 0.5
        while True:
            try:
                await self._apply_settings()
                return
            except TransientError as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("Meilisearch not ready, retrying in %.1fs: %s", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _apply_settings(self, uid: str | None = None) -> None:
        uid = uid or self.uid
        info = await self._call(self._client.create_index, uid, {"primaryKey": "id"})
        created = await self._wait(info.task_uid)
        if created.status != "succeeded" and (created.error or {}).get("code") != "index_already_exists":
            raise TransientError(f"creating index {uid} failed: {created.error}")
        index = self._client.index(uid)
        task = await self._wait((await self._call(index.update_settings, INDEX_SETTINGS)).task_uid)
        if task.status != "succeeded":
            raise TransientError(f"settings of index {uid} not applied: {task.error}")

    async def index(self, documents: Sequence[Mapping[str, Any]], *, uid: str | None = None) -> None:
        """Add or replace documents in one task (of `uid`, default this index) and wait for it."""
        await self.wait_indexed(await self.enqueue(documents, uid=uid))

    async def enqueue(self, documents: Sequence[Mapping[str, Any]], *, uid: str | None = None) -> int:
        """Enqueue one add-or-replace task and return its uid (Meilisearch runs tasks in order).

        Posted with httpx and serialized by pydantic-core (2 µs a document against 9 µs for `json`),
        not through the official client's worker thread: this is the catalog's hot path."""
        try:
            response = await self._http.post(
                f"/indexes/{uid or self.uid}/documents",
                params={"primaryKey": "id"},
                content=pydantic_core.to_json(list(documents)),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TransportError as exc:
            raise TransientError(f"Meilisearch unavailable: {exc!r}") from exc
        if response.status_code == 202:
            return int(response.json()["taskUid"])
        if _is_transient_status(response.status_code):
            raise TransientError(f"Meilisearch refused the documents: HTTP {response.status_code}")
        raise PermanentError(f"Meilisearch rejected the documents: {response.text[:500]}")

    async def wait_indexed(self, task_uid: int) -> None:
        """Wait for an indexing task; `PermanentError` for rejected documents, else `TransientError`.

        Polled every 50 ms at first, for a single call to be searchable at once, then less and less
        often, up to every 0.5 s, for big tasks (not with the client's `wait_for_task`: a thread and a
        new connection every 50 ms)."""
        deadline = time.monotonic() + INDEXING_TIMEOUT_S
        delay = 0.05
        while True:
            outcome = (await self.task_outcomes([task_uid])).get(task_uid)
            if outcome is not None:
                if outcome.succeeded:
                    return
                if outcome.rejected:
                    raise PermanentError(f"Meilisearch rejected the documents: {outcome.error}")
                raise TransientError(f"indexing task {task_uid} {outcome.status}: {outcome.error}")
            if time.monotonic() + delay > deadline:
                raise TransientError(f"indexing task {task_uid} not done in {INDEXING_TIMEOUT_S:.0f}s")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    async def task_outcomes(self, task_uids: Sequence[int]) -> dict[int, TaskOutcome]:
        """The tasks among `task_uids` that have finished, and how (one request for all of them)."""
        params = {
            "uids": ",".join(map(str, task_uids)),
            "statuses": ",".join(_FINISHED),
            "limit": str(max(1, len(task_uids))),
        }
        try:
            response = await self._http.get("/tasks", params=params)
        except httpx.TransportError as exc:
            raise TransientError(f"Meilisearch unavailable: {exc!r}") from exc
        if response.status_code != 200:
            raise TransientError(f"task list: HTTP {response.status_code}")
        return {
            int(task["uid"]): TaskOutcome(task["status"], task.get("error"))
            for task in response.json().get("results", [])
        }

    async def search_raw(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """A search with any Meilisearch body (facets, sort, filter…), on a fresh connection."""
        try:
            response = await self._http.post(f"/indexes/{self.uid}/search", json=dict(body))
        except httpx.TransportError as exc:
            raise TransientError(f"Meilisearch unavailable: {exc!r}") from exc
        if _is_transient_status(response.status_code):
            raise TransientError(f"Meilisearch answered {response.status_code}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    @property
    def client(self) -> meilisearch.Client:
        """The official client (synchronous: call it through `run`)."""
        return self._client

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a call of the official client in a worker thread, with this adapter's error mapping."""
        return await self._call(fn, *args, **kwargs)

    async def wait(self, task_uid: int) -> Task:
        return await self._wait(task_uid)

    async def health(self) -> bool:
        response = await self._http.get("/health")
        return response.status_code == 200 and response.json().get("status") == "available"

    async def close(self) -> None:
        await self._http.aclose()
