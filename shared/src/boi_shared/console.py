"""The console's session, verified by the services that serve console pages of their own (metrics'
dashboard, notify's subscriptions and partners): the catalog signs `boi_console` at /consola (itsdangerous,
salt `boi-console`); a service checks the signature with the same `BOI_SESSION_SECRET` and its age, then
that the user still exists with that role: in `BOI_CONSOLE_USERS`, or, for a user added at run time with
`boi console user add` (stored by the catalog), by asking the catalog (`GET /consola/sesion` with the
cookie, answered from its own user list; a confirmation is kept for a minute). Only a correctly signed
cookie is ever forwarded, so a forged one costs the catalog nothing."""

import hmac
import time
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "boi_console"
SESSION_SECONDS = 8 * 3600
CONFIRMED_SECONDS = 60  # how long the catalog's word on a stored user is taken (its removal shows after this)
SESSION_PATH = "/consola/sesion"


@dataclass(frozen=True)
class Operator:
    name: str
    role: str
    csrf: str


def roles_of(users_spec: str) -> dict[str, str]:
    """`name:role:hash,…` → {name: role} (the password hashes are not needed here)."""
    roles: dict[str, str] = {}
    for entry in (e.strip() for e in users_spec.split(",")):
        name, _, rest = entry.partition(":")
        role = rest.partition(":")[0]
        if name and role in ("curator", "admin"):
            roles[name] = role
    return roles


class ConsoleSession:
    def __init__(self, users_spec: str, secret: str, catalog_url: str = "") -> None:
        self.roles = roles_of(users_spec)
        self._signer = URLSafeTimedSerializer(secret, salt="boi-console") if secret else None
        self.catalog_url = catalog_url.rstrip("/")
        self._confirmed: dict[str, float] = {}

    def _signed(self, raw: str) -> Operator | None:
        if self._signer is None or not raw:
            return None
        try:
            data: Any = self._signer.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return Operator(data["u"], str(data.get("r")), str(data.get("c", "")))

    async def operator(self, request: Request) -> Operator | None:
        raw = request.cookies.get(SESSION_COOKIE, "")
        signed = self._signed(raw)
        if signed is None or signed.role not in ("curator", "admin"):
            return None
        if signed.name in self.roles:
            return signed if self.roles[signed.name] == signed.role else None
        return signed if await self._catalog_confirms(raw, signed) else None

    async def _catalog_confirms(self, raw: str, signed: Operator) -> bool:
        if not self.catalog_url:
            return False
        now = time.monotonic()
        if self._confirmed.get(raw, 0.0) > now:
            return True
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = await http.get(self.catalog_url + SESSION_PATH, cookies={SESSION_COOKIE: raw})
        except httpx.HTTPError:
            return False
        ok = answer.status_code == 200 and answer.json() == {"u": signed.name, "r": signed.role}
        if ok:
            if len(self._confirmed) > 1_000:
                self._confirmed = {k: v for k, v in self._confirmed.items() if v > now}
            self._confirmed[raw] = now + CONFIRMED_SECONDS
        return ok

    async def require(self, request: Request) -> Operator:
        operator = await self.operator(request)
        if operator is None:
            raise HTTPException(401, "Inicia sesión en la consola (/consola) y vuelve a esta página.")
        return operator

    async def require_admin(self, request: Request) -> Operator:
        operator = await self.require(request)
        if operator.role != "admin":
            raise HTTPException(403, "Solo un administrador puede hacer esto.")
        return operator

    @staticmethod
    def check_csrf(operator: Operator, value: str) -> None:
        if not value or not hmac.compare_digest(operator.csrf, value):
            raise HTTPException(403, "El formulario caducó. Vuelve a cargar la página.")
