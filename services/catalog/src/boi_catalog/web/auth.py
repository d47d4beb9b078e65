"""Console users, password hashes, signed session cookies and CSRF tokens.

Users come from settings (`BOI_CONSOLE_USERS`: `name:role:pbkdf2_sha256$iterations$salt$hash`, comma
separated) and from the `console_users` collection (`boi console user add`; settings win on a clash); the
session is a cookie signed with itsdangerous (HttpOnly, SameSite=Strict, Secure on https)
holding the user, the role and a CSRF token every POST form must echo.

Password hashes are checked in worker threads (PBKDF2 takes ~0.2 s and releases the GIL), at most
`HASHING_THREADS` at a time, so sign-ins never stall the event loop that serves the site, the API and the
Kafka consumer; an unknown user costs the same hash (a dummy one) as a wrong password.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.to_thread
from fastapi import HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

Role = Literal["curator", "admin"]
ROLES: tuple[Role, ...] = ("curator", "admin")
ITERATIONS = 600_000
SESSION_COOKIE = "boi_console"
LOGIN_COOKIE = "boi_login_csrf"
SESSION_SECONDS = 8 * 3600
HASHING_THREADS = 1  # one core stays free for the event loop (machines of 2 cores)


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    b64 = base64.urlsafe_b64encode
    return f"pbkdf2_sha256${iterations}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, iterations, salt, digest = encoded.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.pbkdf2_hmac(
            "sha256", password.encode(), base64.urlsafe_b64decode(salt), int(iterations)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _iterations(encoded: str) -> int | None:
    try:
        return int(encoded.split("$")[1])
    except (IndexError, ValueError):
        return None


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    csrf: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def parse_users(spec: str) -> dict[str, tuple[Role, str]]:
    """`name:role:hash,…` → {name: (role, hash)}; malformed entries are rejected loudly at start-up."""
    users: dict[str, tuple[Role, str]] = {}
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        name, role, encoded = [*entry.split(":", 2), "", ""][:3]
        if not name or role not in ROLES or not encoded.startswith("pbkdf2_sha256$"):
            raise ValueError(
                f"BOI_CONSOLE_USERS: bad entry for user {name!r} (want name:role:pbkdf2_sha256$…)"
            )
        users[name] = ("admin" if role == "admin" else "curator", encoded)
    return users


class Sessions:
    def __init__(self, users_spec: str, secret: str, secure: bool) -> None:
        self.users = parse_users(users_spec)
        self._configured = dict(self.users)
        self.secure = secure
        self._signer = URLSafeTimedSerializer(secret or secrets.token_urlsafe(32), salt="boi-console")
        # Compared against when the user is unknown, so a wrong name costs as much as a wrong password:
        # with the iterations the configured users have (the most common count), else the default.
        counts = [n for _, e in self.users.values() if (n := _iterations(e))]
        iterations = max(set(counts), key=counts.count) if counts else ITERATIONS
        self._dummy = hash_password(secrets.token_urlsafe(8), iterations=iterations)
        self._hashing = anyio.CapacityLimiter(HASHING_THREADS)

    def use_stored(self, stored: dict[str, tuple[str, str]]) -> None:
        """Take the users stored at run time (`{name: (role, hash)}`) beside those of settings."""
        valid: dict[str, tuple[Role, str]] = {
            name: ("admin" if role == "admin" else "curator", encoded)
            for name, (role, encoded) in stored.items()
            if role in ROLES and encoded.startswith("pbkdf2_sha256$")
        }
        self.users = {**valid, **self._configured}

    async def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password matches; hashed in a worker thread, never on the event loop."""
        role, encoded = self.users.get(name, ("curator", self._dummy))
        ok = await anyio.to_thread.run_sync(verify_password, password, encoded, limiter=self._hashing)
        return User(name, role, secrets.token_urlsafe(24)) if ok and name in self.users else None

    def cookie(self, user: User) -> str:
        return self._signer.dumps({"u": user.name, "r": user.role, "c": user.csrf})

    def login_token(self) -> tuple[str, str]:
        """(form value, signed cookie) for the login form's CSRF check."""
        value = secrets.token_urlsafe(24)
        return value, self._signer.dumps({"login": value})

    def login_token_ok(self, request: Request, value: str) -> bool:
        data = self._load(request.cookies.get(LOGIN_COOKIE, ""), 3600)
        return bool(data) and hmac.compare_digest(str(data.get("login", "")), value)

    def _load(self, raw: str, max_age: int) -> dict[str, Any]:
        try:
            data = self._signer.loads(raw, max_age=max_age) if raw else {}
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def user(self, request: Request) -> User | None:
        data = self._load(request.cookies.get(SESSION_COOKIE, ""), SESSION_SECONDS)
        name, role = data.get("u"), data.get("r")
        if name not in self.users or self.users[name][0] != role:
            return None  # removed or demoted since the cookie was signed
        return User(str(name), role, str(data.get("c", "")))

    def require(self, request: Request, role: Role = "curator") -> User:
        """The signed-in user, or 401 (nobody signed in) / 403 (role too low)."""
        user = self.user(request)
        if user is None:
            raise HTTPException(status_code=401, detail="Inicia sesión en la consola.")
        if role == "admin" and not user.is_admin:
            raise HTTPException(status_code=403, detail="Esta acción es solo para administradores.")
        return user

    def check_csrf(self, user: User, value: str) -> None:
        if not value or not hmac.compare_digest(user.csrf, value):
            raise HTTPException(status_code=403, detail="El formulario caducó. Vuelve a cargar la página.")
