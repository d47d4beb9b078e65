"""The rate limit of public routes: a token bucket per client, kept in memory per replica, installed by
`service_app(..., rate_limited=True)` as a middleware so routes added later are limited too.

Clients are told apart by a salted hash of their IP whose salt rotates daily: no IP address is stored
(Ley 1581, docs/architecture.md). Behind a reverse proxy the client is read from X-Forwarded-For only when
the peer is one of the trusted proxies (`BOI_TRUSTED_PROXIES`, `boi_shared.web.client_address`);
otherwise the header is ignored, so a client cannot choose its own bucket.
"""

import hashlib
import json
import math
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from boi_shared.web import client_address, parse_networks, request_client

MAX_CLIENTS = 50_000
LIMITED_ES = "Demasiadas solicitudes. Espera unos segundos y vuelve a intentarlo."


class RateLimiter:
    """Token bucket: `per_minute` requests a minute on average, bursts up to `burst`. 0 disables it."""

    def __init__(self, per_minute: int, burst: int, trusted_proxies: Iterable[str] = ()) -> None:
        self.trusted = parse_networks(trusted_proxies)
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
        wait = self.take(self.client(request))
        if wait > 0:
            raise HTTPException(
                status_code=429, detail=LIMITED_ES, headers={"Retry-After": str(max(1, math.ceil(wait)))}
            )

    def client(self, request: Request) -> str:
        """The client's address: the peer, or behind a trusted proxy the one it forwarded for."""
        return request_client(request, self.trusted)

    @classmethod
    def from_settings(cls, settings: Any) -> "RateLimiter":
        """The public routes' limiter (`BOI_API_RATE_PER_MINUTE`, `BOI_API_RATE_BURST`)."""
        per_minute = getattr(settings, "api_rate_per_minute", 120)
        burst = getattr(settings, "api_rate_burst", 30)
        return cls(per_minute, burst, getattr(settings, "trusted_proxies", ()))


class RateLimitMiddleware:
    """Every route of the app is limited per client: the JSON API (`/api/…`) in one bucket, the pages,
    feeds and console in another (a visitor's search-as-you-type does not eat the pages' share). Only
    static files and the health probes are exempt. A middleware, so routes added later are limited
    without doing anything."""

    EXEMPT = ("/static/", "/docs/assets/", "/docs/init/", "/healthz", "/readyz", "/favicon")

    def __init__(self, app: ASGIApp, api: RateLimiter, pages: RateLimiter) -> None:
        self.app, self.api, self.pages = app, api, pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path or path.startswith(self.EXEMPT):
            await self.app(scope, receive, send)
            return
        limiter = self.api if path.startswith("/api/") else self.pages
        peer = scope["client"][0] if scope.get("client") else "unknown"
        forwarded = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
        wait = limiter.take(client_address(peer, forwarded, limiter.trusted))
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": LIMITED_ES}, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", str(max(1, math.ceil(wait))).encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
