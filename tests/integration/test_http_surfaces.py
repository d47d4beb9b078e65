"""Issue 14, section 3: EVERY route of every service app (enumerated from `app.routes`, so routes added
later are walked too) answers with the security headers, and refuses a body over the limit with 413.
The apps are built by their own `create_app` against the session stack."""

import importlib
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from tests.support.stack import StackEndpoints

SERVICES = ["catalog", "ingest", "enrich", "notify", "metrics"]
LIMIT = 64 * 1024
CALL_ID = "c-" + uuid.uuid4().hex[:20]


def build(svc: str, stack: StackEndpoints) -> FastAPI:
    env: dict[str, Any] = {
        **{k.removeprefix("BOI_").lower(): v for k, v in stack.service_env().items()},
        "http_max_body_bytes": LIMIT,
        "mongo_database": f"surfaces_{svc}_{uuid.uuid4().hex[:6]}",
    }
    if svc == "catalog":
        env |= {
            "meili_index": f"calls_surfaces_{uuid.uuid4().hex[:6]}",
            "session_secret": secrets.token_urlsafe(32),
        }
    if svc == "ingest":
        env |= {"admin_token": secrets.token_urlsafe(32), "ingest_interval_seconds": 0}
    settings = importlib.import_module(f"boi_{svc}.settings").Settings(**env)
    app: FastAPI = importlib.import_module(f"boi_{svc}.app").create_app(settings)
    return app


def endpoints(app: FastAPI) -> list[tuple[str, str]]:
    """(method, concrete path) of every route: path parameters filled with a call id."""
    found = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        path = route.path or ""
        if isinstance(original, Mount):
            found.append(("GET", f"{path}/no-such-file.txt"))
            continue
        concrete = re.sub(r"\{[^}]+\}", CALL_ID, path)
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, concrete))
    return found


CHUNK = 16384


async def chunks(size: int, pulled: list[int]) -> AsyncIterator[bytes]:
    for start in range(0, size, CHUNK):
        piece = b" " * min(CHUNK, size - start)
        pulled.append(len(piece))
        yield piece


def assert_headers(response: httpx.Response, where: str) -> None:
    h = response.headers
    policy = h.get("content-security-policy", "")
    assert policy, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{where}: {policy}"
    assert "script-src 'self'" in policy and "default-src 'none'" in policy, f"{where}: {policy}"
    assert "frame-ancestors 'none'" in policy, f"{where}: may be framed"
    assert not re.search(r"https?://", policy.split("connect-src")[0]), f"{where}: third-party source"
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") in ("strict-origin-when-cross-origin", "no-referrer"), where


@pytest.mark.parametrize("svc", SERVICES)
async def test_every_route_sends_the_security_headers_and_limits_the_body(
    svc: str, stack: StackEndpoints
) -> None:
    app = build(svc, stack)
    routes = endpoints(app)
    assert ("GET", "/healthz") in routes and ("GET", "/docs") in routes
    read_chunked = 0
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc", timeout=30) as client:
        for method, path in routes:
            where = f"{svc} {method} {path}"
            response = await client.request(method, path)
            assert_headers(response, f"{where} → {response.status_code}")
            too_big = await client.request(method, path, content=b"{" + b" " * LIMIT + b"}")
            assert too_big.status_code == 413, f"{where}: {too_big.status_code} for a body over the limit"
            assert "demasiado grande" in too_big.json()["detail"] and str(LIMIT) in too_big.json()["detail"]
            assert_headers(too_big, f"{where} (413)")
            # A chunked body (no Content-Length) 4 times the limit: a route that reads it gets 413 after the
            # limit and one chunk; one that answers without reading it (401 without a token, a GET) reads
            # nothing more. Either way no route ever takes in more than the limit.
            pulled: list[int] = []
            streamed = await client.request(method, path, content=chunks(4 * LIMIT, pulled))
            assert sum(pulled) <= LIMIT + CHUNK, f"{where}: {sum(pulled)} bytes of a chunked body read"
            assert_headers(streamed, f"{where} (chunked)")
            read_chunked += streamed.status_code == 413
    print(f"{svc}: {len(routes)} routes walked, {read_chunked} cut a chunked body at the limit with 413")
