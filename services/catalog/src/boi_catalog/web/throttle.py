"""The console's brute-force brake: failed sign-ins counted per account and per client, with delays that
double after a few free tries. Kept in memory per replica (like the rate limit); clients are salted hashes
of their address (`security.RateLimiter.client_key`), accounts hashed with the same daily salt.

A locked key is refused before any password is hashed, so a flood of attempts costs no hashing either.
"""

import hashlib
import math
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_KEYS = 50_000
LIMITED_ES = (
    "Demasiados intentos fallidos de inicio de sesión. Espera {seconds} segundos y vuelve a intentarlo."
)


@dataclass
class _Failures:
    count: int
    locked_until: float
    last: float


class LoginThrottle:
    """`free` failures per key pass; each one after that locks the key for `base_seconds` × 2^(n-free),
    at most `max_seconds`. A key's count is forgotten `forget_seconds` after its last failure; a
    successful sign-in clears the account's count (not the client's: one good password must not reset
    a client that is guessing at other accounts)."""

    def __init__(
        self,
        *,
        account_free: int = 5,
        client_free: int = 20,
        base_seconds: float = 1.0,
        max_seconds: float = 900.0,
        forget_seconds: float = 3600.0,
    ) -> None:
        self.free = {"account": account_free, "client": client_free}
        self.base, self.max, self.forget = base_seconds, max_seconds, forget_seconds
        self._failures: OrderedDict[str, _Failures] = OrderedDict()
        self._salt = secrets.token_bytes(16)

    def _key(self, kind: str, value: str) -> str:
        return kind + ":" + hashlib.sha256(self._salt + value.encode()).hexdigest()[:24]

    def _keys(self, account: str, client: str) -> dict[str, str]:
        return {"account": self._key("account", account.casefold()), "client": self._key("client", client)}

    def wait(self, account: str, client: str, now: float | None = None) -> float:
        """Seconds before this account may be tried from this client again (0: go ahead)."""
        now = time.monotonic() if now is None else now
        waits = [0.0]
        for key in self._keys(account, client).values():
            entry = self._failures.get(key)
            if entry is not None and now - entry.last > self.forget:
                del self._failures[key]
            elif entry is not None:
                waits.append(entry.locked_until - now)
        return max(waits)

    def failed(self, account: str, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for kind, key in self._keys(account, client).items():
            entry = self._failures.pop(key, None) or _Failures(0, 0.0, now)
            entry.count += 1
            entry.last = now
            over = entry.count - self.free[kind]
            if over >= 0:
                entry.locked_until = now + min(self.max, self.base * 2**over)
            self._failures[key] = entry
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, account: str, client: str) -> None:
        self._failures.pop(self._keys(account, client)["account"], None)

    @staticmethod
    def message(wait: float) -> tuple[str, str]:
        """(Spanish message, Retry-After value)."""
        seconds = max(1, math.ceil(wait))
        return LIMITED_ES.format(seconds=seconds), str(seconds)
