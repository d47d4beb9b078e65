"""The console's session, verified by the services that serve console pages of their own (metrics'
dashboard, notify's subscriptions): the catalog signs `boi_console` at /consola (itsdangerous, salt
`boi-console`); a service checks the signature with the same `BOI_SESSION_SECRET`, its age, and that the
user still exists with that role in `BOI_CONSOLE_USERS`. Nothing else is shared with the catalog."""

import hmac
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "boi_console"
SESSION_SECONDS = 8 * 3600


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
    def __init__(self, users_spec: str, secret: str) -> None:
        self.roles = roles_of(users_spec)
        self._signer = URLSafeTimedSerializer(secret, salt="boi-console") if secret else None

    def operator(self, request: Request) -> Operator | None:
        raw = request.cookies.get(SESSION_COOKIE, "")
        if self._signer is None or not raw:
            return None
        try:
            data: Any = self._signer.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        name, role = data.get("u"), data.get("r")
        if not isinstance(name, str) or self.roles.get(name) != role:
            return None
        return Operator(name, str(role), str(data.get("c", "")))

    def require(self, request: Request) -> Operator:
        operator = self.operator(request)
        if operator is None:
            raise HTTPException(401, "Inicia sesión en la consola (/consola) y vuelve a esta página.")
        return operator

    def require_admin(self, request: Request) -> Operator:
        operator = self.require(request)
        if operator.role != "admin":
            raise HTTPException(403, "Solo un administrador puede hacer esto.")
        return operator

    @staticmethod
    def check_csrf(operator: Operator, value: str) -> None:
        if not value or not hmac.compare_digest(operator.csrf, value):
            raise HTTPException(403, "El formulario caducó. Vuelve a cargar la página.")
