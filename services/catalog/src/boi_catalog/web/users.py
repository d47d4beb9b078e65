"""Keeps each replica's view of the console users fresh: before a console or admin request, the users
stored at run time (`boi console user add`) are read again when the last read is older than `max_age`
seconds, so a user added, demoted or removed on one replica counts on all of them within that time."""

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

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


class StoredUsersMiddleware:
    """Plain ASGI (no per-request cost on the public routes): refreshes before console and admin requests;
    a sign-in always reads the users, so one added a moment ago can sign in at once."""

    def __init__(self, app: ASGIApp, users: StoredUsers) -> None:
        self.app, self.users = app, users

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith(PATHS):
            await self.users.refresh(force=scope.get("method") == "POST" and path == "/consola/entrar")
        await self.app(scope, receive, send)
