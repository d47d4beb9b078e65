"""Keeps each replica's view of the console users fresh: before a console or admin request, the users
stored at run time (`boi console user add`) are read again when the last read is older than `max_age`
seconds, so a user added, demoted or removed on one replica counts on all of them within that time."""

import logging
import time
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from boi_catalog.ports import ConsoleUserStore
from boi_catalog.web.auth import Sessions

log = logging.getLogger("boi.catalog.console")
PATHS = ("/consola", "/api/admin")


class StoredUsers:
    def __init__(self, store: ConsoleUserStore, sessions: Sessions, max_age: float = 30.0) -> None:
        self.store, self.sessions, self.max_age = store, sessions, max_age
        self._read_at = float("-inf")

    async def refresh(self, *, force: bool = False) -> None:
        if not force and time.monotonic() - self._read_at < self.max_age:
            return
        try:
            self.sessions.use_stored(await self.store.all())
        except Exception as exc:  # the database is down: keep the users read last time
            log.warning("console users not refreshed: %s", type(exc).__name__)
            return
        self._read_at = time.monotonic()

    async def middleware(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.url.path.startswith(PATHS):
            # A sign-in always reads them: a user added a moment ago can sign in at once.
            await self.refresh(force=request.method == "POST" and request.url.path == "/consola/entrar")
        return await call_next(request)
