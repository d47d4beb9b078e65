"""Response headers (a strict Content-Security-Policy) and the public API's rate limit.

The limit is a token bucket per client, kept in memory per replica. Clients are told apart by a salted
hash of their IP whose salt rotates daily: no IP address is stored (Ley 1581, docs/architecture.md).
"""

import hashlib
import math
import secrets
import time
from collections import OrderedDict
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

MAX_CLIENTS = 50_000


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def security_headers(connect_origin: str = "") -> dict[str, str]:
    """Only the site's own files; scripts from 'self' only (never inline); the browser may talk to
    Meilisearch (`connect_origin`) and nothing else."""
    connect = " ".join(x for x in ("'self'", connect_origin) if x)
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


class RateLimiter:
    """Token bucket: `per_minute` requests a minute on average, bursts up to `burst`. 0 disables it."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._salt = secrets.token_bytes(16)
        self._salt_day = -1

    def client_key(self, ip: str, now: float) -> str:
        day = int(now // 86_400)
        if day != self._salt_day:  # a new salt each day: yesterday's keys cannot be linked to today's
            self._salt, self._salt_day = secrets.token_bytes(16), day
            self._buckets.clear()
        return hashlib.sha256(self._salt + ip.encode()).hexdigest()[:24]

    def take(self, ip: str, now: float | None = None) -> float:
        """0 if the request may go ahead, else the seconds to wait before retrying."""
        if self.rate <= 0:
            return 0.0
        now = time.time() if now is None else now
        key = self.client_key(ip, now)
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait

    async def __call__(self, request: Request) -> None:
        """FastAPI dependency: 429 with Retry-After when the client's bucket is empty."""
        wait = self.take(request.client.host if request.client else "unknown")
        if wait > 0:
            raise HTTPException(
                status_code=429,
                detail="Demasiadas solicitudes. Espera unos segundos y vuelve a intentarlo.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
