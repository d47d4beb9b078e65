"""Issue 14 on a real catalog process (session stack): sign-in guessing is limited per account and per
client, PBKDF2 never stalls the event loop, X-Forwarded-For counts only from a trusted proxy, every public
route (pages, feeds, API) is rate limited, and /api/buscador never hands out the internal Meilisearch URL."""

import asyncio
import itertools
import re
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from boi_catalog.web.auth import ITERATIONS, hash_password
from tests.support.catalog_site import Site, catalog_site, users_env
from tests.support.stack import StackEndpoints

SLOW = ("lenta", "clave-lenta-789")  # hashed with the production iteration count (~0.2 s or more here)


@pytest.fixture(scope="module")
def site(stack: StackEndpoints) -> Iterator[Site]:
    users = users_env() + f",{SLOW[0]}:curator:{hash_password(SLOW[1], iterations=ITERATIONS)}"
    # The test runs on 127.0.0.1: trusting it as a proxy lets each test be its own client via
    # X-Forwarded-For, as visitors behind an ingress are.
    with catalog_site(stack, BOI_CONSOLE_USERS=users, BOI_TRUSTED_PROXIES="127.0.0.1/32") as running:
        yield running


_VISITORS = itertools.count(1)


def visitor() -> str:
    """X-Forwarded-For of a new visitor: a forged left-most address, then the one the proxy saw (unique)."""
    n = next(_VISITORS)
    return f"198.51.100.{secrets.randbelow(250) + 1}, 10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


async def login(client: httpx.AsyncClient, name: str, password: str, forwarded: str) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded}
    form = await client.get("/consola/entrar", headers=headers)
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, form.text[:300]
    data = {"csrf": token.group(1), "usuario": name, "clave": password}
    return await client.post("/consola/entrar", data=data, headers=headers)


async def test_guessing_one_accounts_password_gets_429_with_retry_after(site: Site) -> None:
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        statuses = []
        for _ in range(8):  # each guess from another visitor: the account itself is protected
            statuses.append((await login(client, "carlos", "adivinanza", visitor())).status_code)
        assert statuses[:5] == [401] * 5 and 429 in statuses[5:], statuses
        # While locked even the right password is refused, before any hashing, with a Spanish message.
        locked = await login(client, "carlos", "clave-de-carlos-456", visitor())
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
        assert "Demasiados intentos fallidos" in locked.text and "Espera" in locked.text
        # Another account is not affected.
        other = await login(client, "ana", "clave-de-ana-123", visitor())
        assert other.status_code == 303


async def test_one_client_guessing_many_accounts_gets_429(site: Site) -> None:
    me = visitor()
    async with httpx.AsyncClient(base_url=site.url, timeout=30) as client:
        statuses = [(await login(client, f"nadie{n}", "x", me)).status_code for n in range(24)]
        assert statuses[:20] == [401] * 20 and statuses[-1] == 429, statuses
        assert (await login(client, "ana", "clave-de-ana-123", visitor())).status_code == 303


async def test_the_event_loop_answers_while_passwords_are_hashed(site: Site) -> None:
    """Concurrent sign-ins with a production-strength hash; /healthz, answered by the same event loop,
    is measured meanwhile. On the event loop each hash would hold every request behind it."""
    async with httpx.AsyncClient(base_url=site.url, timeout=60) as client:
        started = time.perf_counter()
        first = await login(client, SLOW[0], "mal", visitor())
        one_hash = time.perf_counter() - started
        assert first.status_code == 401
        # A client each: the login form's CSRF cookie is per browser.
        browsers = [httpx.AsyncClient(base_url=site.url, timeout=60) for _ in range(4)]
        logins = [asyncio.create_task(login(b, SLOW[0], "mal", visitor())) for b in browsers]
        latencies = []
        while not all(t.done() for t in logins):
            t0 = time.perf_counter()
            assert (await client.get("/healthz")).status_code == 200
            latencies.append(time.perf_counter() - t0)
        statuses = [t.result().status_code for t in logins]
        for b in browsers:
            await b.aclose()
    assert set(statuses) <= {401, 429} and latencies
    latencies.sort()
    median, worst = latencies[len(latencies) // 2], latencies[-1]
    print(
        f"one sign-in {one_hash * 1000:.0f} ms; /healthz during 4 sign-ins: {len(latencies)} answers, "
        f"median {median * 1000:.1f} ms, worst {worst * 1000:.1f} ms"
    )
    assert one_hash > 0.1, "the hash is too cheap to show anything"
    # Hashing on the loop, every /healthz would wait for the hash in progress (median ≈ half a hash or
    # more) and only a handful would be answered; off the loop they answer in milliseconds throughout.
    assert len(latencies) >= 10, f"only {len(latencies)} /healthz answers during 4 sign-ins"
    assert median < one_hash / 5, f"/healthz took {median:.3f}s (median) beside a {one_hash:.3f}s hash"


async def test_forged_x_forwarded_for_does_not_escape_the_limit(stack: StackEndpoints) -> None:
    """No trusted proxy configured: whatever the client writes in X-Forwarded-For, its bucket is its own."""
    env = {"BOI_API_RATE_PER_MINUTE": "60", "BOI_API_RATE_BURST": "5"}
    with catalog_site(stack, **env) as limited:
        async with httpx.AsyncClient(base_url=limited.url, timeout=30) as client:
            statuses = [
                (await client.get("/api/calls", headers={"X-Forwarded-For": f"1.2.3.{n}"})).status_code
                for n in range(10)
            ]
        assert statuses.count(429) >= 4, statuses


async def test_behind_a_trusted_proxy_each_visitor_has_a_bucket_and_every_public_route_is_limited(
    stack: StackEndpoints,
) -> None:
    env = {"BOI_API_RATE_PER_MINUTE": "60", "BOI_API_RATE_BURST": "3", "BOI_TRUSTED_PROXIES": "127.0.0.0/8"}
    with catalog_site(stack, **env) as limited:
        async with httpx.AsyncClient(base_url=limited.url, timeout=30) as client:
            for path in (
                "/",
                "/cerradas",
                "/feeds/rss.xml",
                "/feeds/cierres.ics",
                "/api/calls",
                "/consola/entrar",
            ):
                me = {"X-Forwarded-For": visitor()}
                statuses = [(await client.get(path, headers=me)).status_code for _ in range(5)]
                assert statuses[:3] == [200] * 3 and statuses[-1] == 429, (path, statuses)
                last = await client.get(path, headers=me)
                assert last.status_code == 429 and int(last.headers["Retry-After"]) >= 1
                assert "Demasiadas solicitudes" in last.json()["detail"]
                assert last.headers["x-content-type-options"] == "nosniff"
                # Another visitor behind the same proxy is not limited by the first one.
                assert (await client.get(path, headers={"X-Forwarded-For": visitor()})).status_code == 200
            # Static files and probes are not limited.
            for _ in range(6):
                assert (await client.get("/static/site.css")).status_code == 200


def test_browser_search_never_returns_the_internal_meilisearch_url(site: Site) -> None:
    response = site.api("/api/buscador")
    assert site.stack.meili_url not in response.text and "7700" not in response.text
    assert response.status_code == 404 and "no está habilitada" in response.json()["detail"]
