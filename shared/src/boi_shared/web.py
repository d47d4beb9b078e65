"""What every HTTP route of every service gets, in one ASGI middleware `service_app` installs: security
headers on every response and a limit on the size of every request body; and the client's address behind
trusted proxies, for rate limits.

A route (or a template renderer) may set its own Content-Security-Policy or Referrer-Policy, stricter or
naming what its page needs (the catalog's site may connect to a public Meilisearch URL); the middleware
fills in what a response lacks. New routes added anywhere are covered without doing anything.
"""

import ipaddress
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("boi.web")

# Scripts, styles, images and connections from the service's own origin only; never inline code, never
# another site, never framed. Pages needing more set their own policy (see `csp`).
DEFAULT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
BASE_HEADERS = {
    "content-security-policy": DEFAULT_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
TOO_LARGE_ES = (
    "La solicitud es demasiado grande: el cuerpo supera {limit} bytes. Envía menos datos o divide la "
    "solicitud. (Request body larger than {limit} bytes.)"
)
INTERNAL_ES = "Ocurrió un error interno. Intenta de nuevo en unos minutos."


def csp(*, connect: Iterable[str] = (), img: Iterable[str] = (), form: Iterable[str] = ()) -> str:
    """The default policy with extra `connect-src` / `img-src` / `form-action` sources (never
    'unsafe-inline'); the site's subscription form posts to notify (`form`)."""
    connect_src = " ".join(["'self'", *(c for c in connect if c)])
    img_src = " ".join(["'self'", *(i for i in img if i)])
    form_action = " ".join(["'self'", *(f for f in form if f)])
    return (
        f"default-src 'none'; script-src 'self'; style-src 'self'; img-src {img_src}; "
        f"connect-src {connect_src}; form-action {form_action}; base-uri 'none'; frame-ancestors 'none'"
    )


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, TOO_LARGE_ES.format(limit=limit))


@dataclass
class SecurityMiddleware:
    """Headers on every HTTP response and at most `max_body_bytes` of request body on every route: a
    declared Content-Length above it is answered 413 before the app runs; a chunked body is counted as it
    is read and the app sees a 413 `HTTPException` at the byte that passes the limit."""

    app: ASGIApp
    max_body_bytes: int = 1024 * 1024
    headers: dict[str, str] = field(default_factory=lambda: dict(BASE_HEADERS))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        respond = _WithHeaders(send, self.headers)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body_bytes:
            await self._plain(respond, 413, TOO_LARGE_ES.format(limit=self.max_body_bytes))
            return
        try:
            await self.app(scope, _CountedReceive(receive, self.max_body_bytes), respond)
        except BodyTooLarge:
            if not respond.started:
                await self._plain(respond, 413, TOO_LARGE_ES.format(limit=self.max_body_bytes))
        except Exception:
            # An unhandled error still gets the headers; the server logs it (re-raised) without the body.
            if not respond.started:
                await self._plain(respond, 500, INTERNAL_ES)
            raise

    @staticmethod
    async def _plain(send: Send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _WithHeaders:
    """`send` that adds the headers the response does not set itself; remembers whether it started."""

    def __init__(self, send: Send, headers: dict[str, str]) -> None:
        self._send, self._headers, self.started = send, headers, False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [(k.encode(), v.encode()) for k, v in self._headers.items() if k.encode() not in present]
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await self._send(message)


class _CountedReceive:
    """`receive` that raises `BodyTooLarge` at the byte that passes `limit`."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive, self._limit, self._received = receive, limit, 0

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                raise BodyTooLarge(self._limit)
        return message


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The client a request comes from. The peer, unless the peer is a trusted proxy: then the right-most
    address of X-Forwarded-For that is not a trusted proxy (each proxy appends the address it saw, so the
    addresses left of it are whatever the client wrote and cannot be believed)."""
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage where an address should be: key on the proxy, never on the garbage
    return hops[0] if hops else peer


def request_client(request: Any, trusted: tuple[Network, ...]) -> str:
    """`client_address` of a Starlette request."""
    peer = request.client.host if request.client else "unknown"
    return client_address(peer, request.headers.getlist("x-forwarded-for"), trusted)
