"""Issue 14, the web-facing holes in fast tests of logic: the client address behind trusted proxies, the
login throttle, the secret check of every service's settings, the public readiness probe, the uvicorn
access log, and the shared middleware's headers and body limit on a bare app."""

import asyncio
import importlib
import logging
import secrets

import httpx
import pytest
from fastapi import FastAPI, Request
from faststream.kafka import KafkaBroker
from pydantic import SecretStr, ValidationError

from boi_catalog.web.throttle import LoginThrottle
from boi_shared.asgi import service_app
from boi_shared.logging import configure_logging
from boi_shared.web import DEFAULT_CSP, client_address, parse_networks

SERVICES = ["catalog", "ingest", "enrich", "notify", "metrics"]
PROXIES = parse_networks(["10.0.0.0/8", "192.168.1.1"])


# --- client address behind proxies ------------------------------------------------------------------


def test_without_trusted_proxies_x_forwarded_for_is_ignored() -> None:
    assert client_address("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"
    # A client that is not a trusted proxy cannot choose its bucket by writing the header.
    assert client_address("203.0.113.9", ["1.2.3.4"], PROXIES) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client() -> None:
    # The client forged "6.6.6.6"; the ingress appended the address it saw (198.51.100.7).
    assert client_address("10.1.2.3", ["6.6.6.6, 198.51.100.7"], PROXIES) == "198.51.100.7"
    # Two trusted hops (load balancer, then ingress) are skipped.
    assert client_address("10.1.2.3", ["6.6.6.6, 198.51.100.7, 192.168.1.1"], PROXIES) == "198.51.100.7"
    assert client_address("10.1.2.3", ["198.51.100.7", "10.9.9.9"], PROXIES) == "198.51.100.7"
    # Garbage where the address should be: the proxy's bucket, never the garbage as a key.
    assert client_address("10.1.2.3", ["1.1.1.1, not-an-ip"], PROXIES) == "10.1.2.3"
    assert client_address("10.1.2.3", [], PROXIES) == "10.1.2.3"
    assert client_address("2001:db8::1", ["1.2.3.4"], PROXIES) == "2001:db8::1"


def test_trusted_proxies_must_be_addresses_or_cidrs(monkeypatch: pytest.MonkeyPatch) -> None:
    from boi_catalog.settings import Settings

    assert Settings(trusted_proxies=["10.0.0.0/8", "::1"]).trusted_proxies == ["10.0.0.0/8", "::1"]
    monkeypatch.setenv("BOI_TRUSTED_PROXIES", "10.0.0.0/8, ingress.local")
    with pytest.raises(ValidationError, match=r"BOI_TRUSTED_PROXIES: 'ingress\.local'"):
        Settings()


# --- login throttle ---------------------------------------------------------------------------------


def test_failed_logins_lock_an_account_with_growing_delays() -> None:
    throttle = LoginThrottle(account_free=3, client_free=100, base_seconds=1.0, max_seconds=60.0)
    now = 1000.0
    waits = []
    for attempt in range(7):
        waits.append(throttle.wait("ana", f"198.51.100.{attempt}", now))
        throttle.failed("ana", f"198.51.100.{attempt}", now)
    # Three failures are free; then 1, 2, 4, 8 s (from a different client each time: per account).
    assert waits[:3] == [0, 0, 0] and waits[3:] == [1.0, 2.0, 4.0, 8.0]
    assert throttle.wait("ANA", "203.0.113.1", now) == 16.0  # names compared case-insensitively
    assert throttle.wait("carlos", "203.0.113.1", now) == 0
    throttle.succeeded("ana", "203.0.113.1")
    assert throttle.wait("ana", "203.0.113.1", now) == 0
    message, retry_after = LoginThrottle.message(15.2)
    assert retry_after == "16" and "Espera 16 segundos" in message


def test_one_client_guessing_many_accounts_is_locked() -> None:
    throttle = LoginThrottle(account_free=100, client_free=5, max_seconds=30.0)
    for n in range(12):
        throttle.failed(f"user{n}", "198.51.100.1", 0.0)
    assert throttle.wait("someone-else", "198.51.100.1", 0.0) == 30.0  # capped
    assert throttle.wait("someone-else", "198.51.100.2", 0.0) == 0
    assert throttle.wait("someone-else", "198.51.100.1", 10_000.0) == 0  # forgotten after an hour
    assert not any("198.51" in key or "user" in key for key in throttle._failures)


# --- secrets ----------------------------------------------------------------------------------------


def secret_fields(svc: str) -> list[tuple[type, str, str]]:
    cls = importlib.import_module(f"boi_{svc}.settings").Settings
    found = []
    for name, field in cls.model_fields.items():
        if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ())):
            env = field.validation_alias if isinstance(field.validation_alias, str) else f"BOI_{name}"
            found.append((cls, name, env.upper()))
    return found


ALL_SECRETS = [(svc, *f) for svc in SERVICES for f in secret_fields(svc)]


def test_every_service_has_its_secrets_checked() -> None:
    names = {env for _, _, _, env in ALL_SECRETS}
    assert {"BOI_SESSION_SECRET", "BOI_MEILI_MASTER_KEY", "BOI_WEBHOOK_SECRET", "BOI_ADMIN_TOKEN"} <= names
    assert {"BOI_OPENAI_API_KEY", "OPENAI_API_KEY", "BOI_MONGO_URL", "BOI_CONSOLE_USERS"} <= names


@pytest.mark.parametrize(
    ("svc", "cls", "name", "env"), ALL_SECRETS, ids=[f"{s}-{e}" for s, *_, e in ALL_SECRETS]
)
@pytest.mark.parametrize("placeholder", ["CHANGE_ME", "change-me", "changeme", "CHANGE_ME_PASSWORD"])
def test_placeholder_secrets_are_refused_at_start_up(
    svc: str, cls: type, name: str, env: str, placeholder: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env, placeholder)
    with pytest.raises(ValidationError) as refused:
        cls()
    assert f"{env} is refused" in str(refused.value) and "placeholder" in str(refused.value)
    assert placeholder not in str(refused.value)  # the error never echoes the value (or the environment)


# Not keys: connection strings, user lists, and an SMTP relay's password (the provider's, any length).
KEYS = [t for t in ALL_SECRETS if t[3] not in ("BOI_MONGO_URL", "BOI_CONSOLE_USERS", "BOI_SMTP_PASSWORD")]


@pytest.mark.parametrize(("svc", "cls", "name", "env"), KEYS, ids=[f"{s}-{e}" for s, *_, e in KEYS])
def test_short_or_repetitive_keys_are_refused_and_random_ones_accepted(
    svc: str, cls: type, name: str, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for weak, why in (("abc123", "at least 16"), ("secret", "placeholder"), ("a" * 40, "too few")):
        monkeypatch.setenv(env, weak)
        with pytest.raises(ValidationError, match=why):
            cls()
    strong = secrets.token_urlsafe(32)
    monkeypatch.setenv(env, strong)
    if env == "BOI_WEBHOOK_SECRET":
        monkeypatch.setenv("BOI_WEBHOOK_URLS", "https://partner.example/hook")
    if env == "BOI_KAFKA_PASSWORD":  # a Kafka password goes with its username
        monkeypatch.setenv("BOI_KAFKA_USERNAME", svc)
    assert getattr(cls(), name).get_secret_value() == strong


def test_empty_secrets_keep_their_documented_meaning(monkeypatch: pytest.MonkeyPatch) -> None:
    from boi_catalog.settings import Settings

    assert Settings(session_secret="", console_users="").session_secret.get_secret_value() == ""


def test_browser_search_direct_needs_a_public_meilisearch_url() -> None:
    from boi_catalog.settings import Settings

    with pytest.raises(ValidationError, match="BOI_MEILI_PUBLIC_URL"):
        Settings(browser_search_direct=True)
    assert Settings(
        browser_search_direct=True, meili_public_url="https://buscar.example.org"
    ).meili_public_url


# --- readiness, logs, middleware ----------------------------------------------------------------------


def _app(check_error: Exception | None = None) -> FastAPI:
    async def failing() -> bool:
        if check_error:
            raise check_error
        return True

    app = service_app(service="probe", broker=KafkaBroker("127.0.0.1:1"), checks={"mongodb": failing})

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("internal detail mongodb-0.mongodb.svc")

    return app


async def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://probe")


async def test_public_readiness_says_down_without_internal_detail(caplog: pytest.LogCaptureFixture) -> None:
    error = ConnectionError("mongodb-0.mongodb.mongodb.svc:27017: [Errno 111] Connection refused")
    async with await _client(_app(error)) as client:
        with caplog.at_level(logging.WARNING, logger="boi.service"):
            response = await client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["mongodb"] == "down" and "mongodb-0" not in response.text and "111" not in response.text
    assert "mongodb-0.mongodb.mongodb.svc" in caplog.text  # the operator still learns why, in the log


def test_uvicorn_access_log_is_off_whatever_the_command_line() -> None:
    configure_logging("probe")
    access = logging.getLogger("uvicorn.access")
    assert not access.isEnabledFor(logging.CRITICAL)


async def test_every_response_gets_the_headers_even_a_crash() -> None:
    async with await _client(_app()) as client:
        for response in (await client.get("/healthz"), await client.get("/boom"), await client.get("/nope")):
            assert response.headers["content-security-policy"] == DEFAULT_CSP
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert "internal detail" not in (await client.get("/boom")).text


async def test_bodies_over_the_limit_get_413_declared_or_streamed() -> None:
    limit = 1024 * 1024
    async with await _client(_app()) as client:
        ok = await client.post("/echo", content=b"x" * limit)
        assert ok.status_code == 200 and ok.json() == {"bytes": limit}
        declared = await client.post("/echo", content=b"x" * (limit + 1))
        assert declared.status_code == 413 and "demasiado grande" in declared.json()["detail"]

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b"y" * 65536
                await asyncio.sleep(0)

        streamed = await client.post("/echo", content=chunks())  # chunked: no Content-Length
        assert streamed.status_code == 413 and streamed.headers["x-content-type-options"] == "nosniff"


async def test_docs_are_served_from_installed_files_under_the_strict_policy() -> None:
    async with await _client(_app()) as client:
        page = await client.get("/docs")
        assert page.status_code == 200 and "<script>" not in page.text
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        policy = page.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "script-src 'self';" in policy and "https:" not in policy
        for asset in (
            "/docs/assets/swagger-ui-bundle.js",
            "/docs/assets/swagger-ui.css",
            "/docs/init/swagger-init.js",
        ):
            assert asset in page.text
            assert (await client.get(asset)).status_code == 200, asset


async def test_an_unknown_user_costs_the_same_hash_as_a_wrong_password() -> None:
    import time

    from boi_catalog.web.auth import Sessions, hash_password

    sessions = Sessions(
        f"ana:admin:{hash_password('a', iterations=60_000)}", secrets.token_urlsafe(32), False
    )
    assert sessions._dummy.split("$")[1] == "60000"  # the dummy has the users' iteration count

    async def best_of_three(name: str) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert await sessions.authenticate(name, "wrong") is None
            times.append(time.perf_counter() - started)
        return min(times)

    known, unknown = await best_of_three("ana"), await best_of_three("nadie")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


async def test_a_rate_limited_service_limits_every_route_but_static_files_and_probes() -> None:
    from boi_shared.settings import ServiceSettings

    settings = ServiceSettings(api_rate_per_minute=60, api_rate_burst=2)
    app = service_app(
        service="probe", broker=KafkaBroker("127.0.0.1:1"), checks={}, settings=settings, rate_limited=True
    )

    @app.get("/suscripciones")
    async def added_later() -> dict[str, str]:
        return {"ok": "yes"}

    async with await _client(app) as client:
        pages = [(await client.get("/suscripciones")).status_code for _ in range(3)]
        assert pages == [200, 200, 429]
        limited = await client.get("/docs")
        assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
        assert (
            "Demasiadas solicitudes" in limited.json()["detail"]
            and limited.headers["x-frame-options"] == "DENY"
        )
        assert [(await client.get("/healthz")).status_code for _ in range(5)] == [200] * 5
        assert [(await client.get("/docs/init/swagger-init.js")).status_code for _ in range(5)] == [200] * 5
        # The JSON API has its own bucket.
        assert (await client.get("/api/nothing")).status_code == 404
