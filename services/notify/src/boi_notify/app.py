"""Composition root of the notify service: `uvicorn --factory boi_notify.app:create_app`."""

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient

from boi_notify import SERVICE, handlers, scheduler
from boi_notify.adapters.http import HttpxWebhookSender, webhook_client
from boi_notify.adapters.impressions import GatheredImpressions, KafkaImpressionSink, KafkaRetryPublisher
from boi_notify.adapters.mongo import MongoEndpointStore, MongoWebhookDeliveries
from boi_notify.adapters.mongo_mail import MongoCallLog, MongoMailLog
from boi_notify.adapters.mongo_subscribers import MongoSubscriberStore
from boi_notify.adapters.smtp import AiosmtplibSender
from boi_notify.domain.mail import MailDeferred
from boi_notify.domain.tokens import Purpose, Tokens
from boi_notify.ports import ImpressionSink, RetryPublisher
from boi_notify.service.alerts import Alerts
from boi_notify.service.bulletins import Bulletins
from boi_notify.service.desk import SubscriberDesk
from boi_notify.service.dispatcher import Dispatcher, sweeping
from boi_notify.service.emails import MailRenderer
from boi_notify.service.mailer import Mailer
from boi_notify.service.partners import Partners, UrlRules
from boi_notify.service.seed import seed_endpoints
from boi_notify.service.subscriptions import Links, Subscriptions
from boi_notify.service.webhooks import DeliveryPolicy, EndpointDirectory, Webhooks
from boi_notify.settings import Settings
from boi_notify.web import subscription
from boi_notify.web.console import console_router
from boi_notify.web.partners import partners_router
from boi_shared.asgi import asyncapi_document, service_app
from boi_shared.branding import Brand
from boi_shared.checks import MONGODB
from boi_shared.console import ConsoleSession
from boi_shared.error_policy import ErrorPolicy
from boi_shared.kafka import create_broker, subscriber_options
from boi_shared.logging import configure_logging
from boi_shared.mongo import mongo_check, mongo_client
from boi_shared.outbound import OutboundGuard

DESCRIPTION = (
    "Delivers every public call change to partner webhooks (Standard Webhooks, one secret per partner, "
    "retried on a schedule through notify.webhook-retries.v1), and emails subscribers (double opt-in): "
    "instant alerts, digests and corrections (calls.published.v1 → metrics.impressions.v1)."
)
LINK_DAYS = 400  # unsubscribe and manage links in old emails keep working for about a year


@dataclass
class Clients:
    """Clients owned by the app; built without connecting, closed at shutdown."""

    mongo: AsyncMongoClient[dict[str, Any]]
    http: httpx.AsyncClient

    @classmethod
    def build(cls, settings: Settings) -> "Clients":
        mongo = mongo_client(settings.mongo_url.get_secret_value(), SERVICE)
        http = webhook_client(settings.webhook_timeout_seconds, settings.outbound_allowlist)
        return cls(mongo=mongo, http=http)

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await self.http.aclose()
            await self.mongo.close()


@dataclass
class Partnering:
    """The webhook side, wired: admin use cases, deliveries, and the dispatcher running the attempts."""

    partners: Partners
    webhooks: Webhooks
    dispatcher: Dispatcher
    deliveries: MongoWebhookDeliveries


def build_partners(settings: Settings, db: Any, retries: RetryPublisher) -> Partners:
    store, deliveries = MongoEndpointStore(db), MongoWebhookDeliveries(db)
    rules = UrlRules(OutboundGuard(settings.outbound_allowlist), settings.webhook_allow_http)
    return Partners(store, deliveries, retries, rules)


def build_partnering(
    settings: Settings, clients: Clients, retries: RetryPublisher, impressions: ImpressionSink
) -> Partnering:
    db = clients.mongo[settings.database_name(SERVICE)]
    partners = build_partners(settings, db, retries)
    deliveries = MongoWebhookDeliveries(db)
    webhooks = Webhooks(
        EndpointDirectory(partners.store, settings.webhook_endpoint_refresh_seconds),
        deliveries,
        HttpxWebhookSender(clients.http, settings.webhook_timeout_seconds),
        retries,
        impressions,
        DeliveryPolicy(
            schedule_scale=settings.webhook_schedule_scale,
            disable_after=timedelta(seconds=settings.webhook_disable_after_seconds),
            lease_seconds=max(60.0, settings.webhook_timeout_seconds * 4),
        ),
    )
    dispatcher = Dispatcher(webhooks, settings.webhook_concurrency, settings.webhook_per_endpoint)
    return Partnering(partners, webhooks, dispatcher, deliveries)


@dataclass
class Email:
    """The email side, wired: the store (for indexes), the subscription and the alert use cases."""

    store: MongoSubscriberStore
    subscriptions: Subscriptions
    alerts: Alerts
    bulletins: Bulletins
    tokens: Tokens
    sender: AiosmtplibSender


def build_email(
    settings: Settings, mongo: AsyncMongoClient[dict[str, Any]], impressions: ImpressionSink
) -> Email:
    db = mongo[settings.database_name(SERVICE)]
    secret = settings.subscription_secret.get_secret_value() or secrets.token_urlsafe(32)
    days = {
        Purpose.CONFIRM: settings.confirm_link_days,
        Purpose.UNSUBSCRIBE: LINK_DAYS,
        Purpose.MANAGE: LINK_DAYS,
    }
    tokens = Tokens(secret, {p: d * 86_400 for p, d in days.items()})
    links = Links(settings.notify_public_url, tokens)
    renderer = MailRenderer(links.privacy, Brand.from_settings(settings), settings.public_base_url)
    sender = AiosmtplibSender(
        settings.smtp_host,
        settings.smtp_port,
        settings.sender,
        settings.smtp_timeout_seconds,
        settings.smtp_username,
        settings.smtp_password.get_secret_value(),
        settings.smtp_starttls,
        pool_size=settings.mail_concurrency,
    )
    store, log, calls = MongoSubscriberStore(db), MongoMailLog(db), MongoCallLog(db)
    mailer = Mailer(log, sender, store, impressions)
    subscriptions = Subscriptions(store, log, sender, renderer, links)
    alerts = Alerts(store, calls, log, mailer, renderer, links, settings.mail_concurrency)
    bulletins = Bulletins(store, mailer, renderer, links, settings.mail_concurrency)
    return Email(store, subscriptions, alerts, bulletins, tokens, sender)


def build_broker(settings: Settings, clients: Clients) -> tuple[KafkaBroker, Email, Partnering]:
    policy = ErrorPolicy(SERVICE, settings, (MailDeferred,))  # the middleware's, also the batch handler's
    broker = create_broker(SERVICE, settings, policy=policy)
    handlers.impressions_publisher(broker)  # for the AsyncAPI document; the sink publishes in batches
    impressions = KafkaImpressionSink(broker)
    email = build_email(settings, clients.mongo, impressions)
    retries = KafkaRetryPublisher(handlers.retries_publisher(broker))
    partnering = build_partnering(settings, clients, retries, GatheredImpressions(impressions))
    options = subscriber_options(settings)
    changes = handlers.Changes(partnering.webhooks, partnering.dispatcher, email.alerts)
    handlers.register(broker, changes, options, policy, settings.published_batch)
    handlers.register_bulletins(broker, email.bulletins, options)
    return broker, email, partnering


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(SERVICE, settings.log_level)
    # httpx logs every request URL at INFO; partner URLs may carry tokens. Our own log names the host.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    clients = Clients.build(settings)
    broker, email, partnering = build_broker(settings, clients)

    @asynccontextmanager
    async def resources() -> AsyncIterator[None]:
        async with clients.opened():
            await email.store.ensure_indexes()
            await partnering.deliveries.ensure_indexes()
            await seed_endpoints(settings, partnering.partners)
            tasks = [asyncio.create_task(sweeping(partnering.dispatcher, settings.webhook_sweep_seconds))]
            if settings.scheduler_interval_seconds > 0:
                job = lambda: scheduler.run_due(  # noqa: E731
                    email.alerts, email.subscriptions, settings.digest_hour, settings.reminder_days
                )
                tasks.append(asyncio.create_task(scheduler.every(settings.scheduler_interval_seconds, job)))
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                partnering.dispatcher.stop()
                await email.sender.close()

    app = service_app(
        service=SERVICE,
        broker=broker,
        checks={MONGODB: mongo_check(clients.mongo)},
        resources=resources,
        description=DESCRIPTION,
        settings=settings,
        rate_limited=True,  # its public pages (subscriptions) are limited per client
    )
    _mount_pages(app, settings, email, partnering)
    return app


def _mount_pages(app: FastAPI, settings: Settings, email: Email, partnering: Partnering) -> None:
    """The subscription pages, and the console's subscriptions and partners pages (the catalog's session)."""
    base, brand = settings.notify_public_url.rstrip("/") + "/suscripcion", Brand.from_settings(settings)
    app.include_router(
        subscription.router(
            email.subscriptions,
            email.tokens,
            base,
            settings.public_base_url,
            settings.brand_privacy_controller or settings.privacy_controller,
            settings.subscribe_rate_per_minute,
            settings.reminder_days,
            brand,
        )
    )
    session = ConsoleSession(
        settings.console_users.get_secret_value(),
        settings.session_secret.get_secret_value(),
        settings.catalog_url,
    )
    desk = SubscriberDesk(email.store, email.subscriptions)
    app.include_router(console_router(desk, session, base, settings.public_base_url, brand))
    app.include_router(partners_router(partnering.partners, session, settings))


def asyncapi() -> dict[str, Any]:
    # Documented record by record: batched consumption reads the same CallPublished messages, but its
    # handler takes raw records (each validated, and dead-lettered, on its own) and so has no schema.
    settings = Settings(kafka_bootstrap_servers="kafka:9092", published_batch=1)
    broker, _, _ = build_broker(settings, Clients.build(settings))
    return asyncapi_document(broker, SERVICE, DESCRIPTION)
