"""The ASGI shell every service shares: lifespan (start/stop the broker and stores), health probes, the
security middleware (headers and body limits on every route, `boi_shared.web`) and `/docs` served from
files installed here (`boi_shared.docs`)."""

import asyncio
import dataclasses
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.security import SASLScram512
from faststream.specification import AsyncAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boi_shared.checks import KAFKA
from boi_shared.docs import install_docs
from boi_shared.kafka import connect_broker
from boi_shared.kafka_auth import KafkaLoginError
from boi_shared.ratelimit import RateLimiter, RateLimitMiddleware
from boi_shared.settings import ServiceSettings
from boi_shared.web import SecurityMiddleware

ReadinessCheck = Callable[[], Awaitable[Any]]
log = logging.getLogger("boi.service")


async def _run_check(name: str, check: ReadinessCheck, limit_seconds: float) -> str:
    """The check's state, `ok` or `down`: the probe is public, so why a dependency is down (host names,
    addresses) goes to the log only."""
    try:
        async with asyncio.timeout(limit_seconds):
            result = await check()
    except Exception as exc:
        log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, str(exc)[:300])
        return "down"
    return "ok" if result is not False else "down"


def kafka_check(broker: KafkaBroker) -> ReadinessCheck:
    async def check() -> bool:
        return await broker.ping(timeout=2.0)

    return check


GC_THRESHOLDS = (50_000, 20, 20)
"""Young collections every 50,000 allocations instead of 700: events, models and documents are freed by
reference counting (they hold no cycles), so frequent collections only re-walk the calls in flight."""


def _tune_garbage_collection() -> None:
    """Keep what start-up built (modules, models, app, clients) out of every later collection, and collect
    less often. Measured in the catalog consuming 100,000 calls: 29.2 s of CPU, 25.4 s with start-up's
    ~10^5 objects frozen (`gc.freeze`; full collections walked them again as the heap grew), 18.7 s with
    these thresholds as well."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class ServiceApp(FastAPI):
    """FastAPI with `SecurityMiddleware` always outermost: around the middlewares a service adds (the
    catalog's rate limit: its 429s get the headers too) and around Starlette's error middleware (a 500
    gets them too)."""

    max_body_bytes: int = ServiceSettings.model_fields["http_max_body_bytes"].default

    startup_problem: str = ""
    """Why start-up failed, in the operator's words; reported instead of a traceback."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityMiddleware(super().build_middleware_stack(), max_body_bytes=self.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            return await super().__call__(scope, receive, send)

        async def report(message: Message) -> None:
            # Starlette puts the traceback in a failed start-up's message, which the server logs.
            if message["type"] == "lifespan.startup.failed" and self.startup_problem:
                message = {**message, "message": self.startup_problem}
            await send(message)

        return await super().__call__(scope, receive, report)


def service_app(
    *,
    service: str,
    broker: KafkaBroker,
    checks: dict[str, ReadinessCheck],
    resources: Callable[[], AbstractAsyncContextManager[Any]] | None = None,
    description: str = "",
    settings: ServiceSettings | None = None,
    rate_limited: bool = False,
) -> FastAPI:
    """A FastAPI app whose lifespan opens `resources`, then starts the broker; stops both in reverse.
    Every route, those added later included, gets the security headers and the body limit; with
    `rate_limited` (a service with public pages), the per-client rate limit of `boi_shared.ratelimit`."""
    config = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if resources is not None:
                await stack.enter_async_context(resources())
            _tune_garbage_collection()
            try:
                await connect_broker(broker, config, start=True)
            except KafkaLoginError as exc:
                if isinstance(app, ServiceApp):
                    app.startup_problem = f"{service} cannot start: {exc}"
                raise
            stack.push_async_callback(broker.stop)
            log.info("%s started", service)
            yield
            log.info("%s stopping", service)

    app = ServiceApp(
        title=f"BOI {service}", description=description, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.max_body_bytes = config.http_max_body_bytes
    if rate_limited:
        limits = {"api": RateLimiter.from_settings(config), "pages": RateLimiter.from_settings(config)}
        app.add_middleware(RateLimitMiddleware, **limits)
    install_docs(app, f"BOI {service}")
    all_checks = {KAFKA: kafka_check(broker), **checks}

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["health"], summary="Broker and stores answer")
    async def readyz() -> JSONResponse:
        names = list(all_checks)
        results = await asyncio.gather(*(_run_check(n, all_checks[n], 3.0) for n in names))
        detail = dict(zip(names, results, strict=True))
        ready = all(v == "ok" for v in detail.values())
        return JSONResponse({"ready": ready, "checks": detail}, status_code=200 if ready else 503)

    return app


def asyncapi_document(broker: KafkaBroker, service: str, description: str) -> dict[str, Any]:
    """The service's AsyncAPI 3.0 document, generated by FastStream from its subscribers/publishers.

    Every deployment authenticates (SASL/SCRAM-SHA-512, `boi_shared.kafka_auth`), but the document is built
    from a broker without credentials: the scheme FastStream writes for `SASLScram512` is set on its
    specification, so the document's server says how clients connect."""
    if broker.specification.security is None:
        broker.specification = dataclasses.replace(broker.specification, security=SASLScram512("", ""))
    spec = AsyncAPI(
        broker,
        title=f"BOI {service}",
        version="1.0.0",
        description=description,
        schema_version="3.0.0",
    )
    doc: dict[str, Any] = spec.to_specification().to_jsonable()
    doc["components"]["securitySchemes"]["scram512"]["description"] = KAFKA_SECURITY_DESCRIPTION
    return doc


KAFKA_SECURITY_DESCRIPTION = (
    "SASL/SCRAM-SHA-512 (SASL_PLAINTEXT on a private network, SASL_SSL across networks); clients without "
    "credentials are refused. Each service has its own principal allowed only its topics and groups; partner "
    "institutions get the read-only `partner` principal: `calls.published.v1` in consumer groups named "
    "`partner-…`, nothing else. Example consumer: docs/partners/consumer.py."
)
