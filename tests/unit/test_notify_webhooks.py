"""Partner webhooks without the stack: Standard Webhooks signatures checked by the partners' own library,
filters, the retry schedule, and the delivery use case on fakes of the stores and the transport."""

import asyncio
import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from boi_notify.adapters.http import HttpxWebhookSender, webhook_client
from boi_notify.domain.delivery import (
    SCHEDULE_SECONDS,
    AttemptOutcome,
    EndpointUnreachable,
    PendingDelivery,
    Status,
    Verdict,
    retry_delay,
    verdict_for,
)
from boi_notify.domain.partners import Endpoint, InvalidPartner, check_name, parse_filter
from boi_notify.domain.signing import key_of, new_secret, signed_headers, webhook_id
from boi_notify.service.webhooks import DeliveryPolicy, EndpointDirectory, Webhooks
from boi_notify.settings import Settings
from boi_shared.events import CallPublished, ImpressionRecorded, PublicCall, WebhookRetryDue
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility

BODY = b'{"event_id": "e1", "call": {"title": "Beca \\u00e1"}}'


def test_signatures_verify_with_the_standard_webhooks_library() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(key_of(secret)) == 24
    headers = signed_headers([secret], "msg_1", int(datetime.now(UTC).timestamp()), BODY)
    assert Webhook(secret).verify(BODY, headers)["event_id"] == "e1"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY + b" ", headers)


def test_during_a_rotation_both_signatures_verify() -> None:
    old, new = new_secret(), new_secret()
    headers = signed_headers([new, old], "msg_2", int(datetime.now(UTC).timestamp()), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(new).verify(BODY, headers) and Webhook(old).verify(BODY, headers)


def test_webhook_id_is_stable_per_event_and_endpoint() -> None:
    assert webhook_id("e1", "a") == webhook_id("e1", "a") != webhook_id("e1", "b")
    assert webhook_id("e1", "a").startswith("msg_")


@pytest.mark.parametrize("bad", ["secret", "whsec_", "whsec_***"])
def test_malformed_secrets_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="a webhook secret"):
        key_of(bad)


def _event(
    call_type: CallType = CallType.BECA, colombia: Eligibility = Eligibility.SI, **kw: Any
) -> CallPublished:
    url = "https://example.org/c/1"
    call = PublicCall(
        url=url,
        title="t",
        summary="s",
        status="publicada",
        call_type=call_type,
        colombia_eligible=colombia,
        sectors=kw.pop("sectors", ["Salud"]),
    )
    return CallPublished(call_id=call_id_for(url), version=1, change=kw.pop("change", "published"), call=call)


def test_filters_match_on_type_sector_colombia_and_change() -> None:
    f = parse_filter(["type=beca,curso", "sector=salud", "colombia=si", "change=published,updated"])
    assert f.matches(_event())
    assert not f.matches(_event(call_type=CallType.PREMIO))
    assert not f.matches(_event(sectors=["Cultura"]))
    assert not f.matches(_event(colombia=Eligibility.NO))
    assert not f.matches(_event(change="withdrawn"))
    assert parse_filter([]).matches(_event(change="closed"))


@pytest.mark.parametrize(
    ("texts", "reason"),
    [
        (["type"], "KEY=VALUE"),
        (["=beca"], "KEY=VALUE"),
        (["color=rojo"], "unknown filter key"),
        (["type="], "no value"),
        (["type=nada"], "filter type"),
        (["colombia=tal_vez"], "filter colombia"),
        (["change=deleted"], "filter change"),
        (["sector=" + "x" * 61], "longer than 60"),
        (["sector=" + ",".join(f"s{i}" for i in range(21))], "at most 20"),
        (["sector=a"] * 200, "longer than 1000"),
    ],
)
def test_malformed_or_oversized_filters_are_refused(texts: list[str], reason: str) -> None:
    with pytest.raises(InvalidPartner, match=reason):
        parse_filter(texts)


@pytest.mark.parametrize("name", ["", "A", "con espacio", "x" * 41, "-lead", "ñandú"])
def test_names_must_fit_the_impression_channel_detail(name: str) -> None:
    with pytest.raises(InvalidPartner):
        check_name(name)


def test_the_schedule_is_the_specifications_with_jitter_and_scale() -> None:
    assert SCHEDULE_SECONDS == (5, 300, 1800, 7200, 18000, 36000, 36000)
    rng = random.Random(1)
    for attempt, base in enumerate(SCHEDULE_SECONDS, start=1):
        delay = retry_delay(attempt, 1.0, rng)
        assert delay is not None and 0.8 * base <= delay <= 1.2 * base
    assert retry_delay(8) is None  # eight attempts in all
    scaled = retry_delay(2, 0.001, rng)
    assert scaled is not None and scaled < 0.4


def test_verdicts() -> None:
    assert verdict_for(204) is Verdict.DELIVERED
    assert verdict_for(410) is Verdict.GONE
    assert [verdict_for(s) for s in (429, 500, 503, 408)] == [Verdict.RETRY] * 4
    assert [verdict_for(s) for s in (301, 302, 400, 401, 404)] == [Verdict.REJECTED] * 5


# --- the delivery use case on fakes ------------------------------------------------------------------


@dataclass
class FakeEndpoints:
    endpoints: dict[str, Endpoint]

    async def all(self) -> list[Endpoint]:
        return list(self.endpoints.values())

    async def get(self, name: str) -> Endpoint | None:
        return self.endpoints.get(name)

    async def set_enabled(self, name: str, enabled: bool, reason: str | None, now: datetime) -> bool:
        self.endpoints[name] = replace(self.endpoints[name], enabled=enabled, disabled_reason=reason)
        return True

    async def set_failing_since(self, name: str, since: datetime | None) -> None:
        self.endpoints[name] = replace(self.endpoints[name], failing_since=since)


@dataclass
class FakeDeliveries:
    records: dict[str, PendingDelivery] = field(default_factory=dict)
    outcomes: list[tuple[str, AttemptOutcome]] = field(default_factory=list)

    async def add(self, records: Sequence[PendingDelivery], now: datetime, lease_seconds: float) -> set[str]:
        new = {r.id for r in records if r.id not in self.records}
        for r in records:
            self.records.setdefault(r.id, r)
        return new

    async def delivered(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        await self.finish(delivery_id, outcome)

    async def claim(self, delivery_id: str, now: datetime, lease_seconds: float) -> PendingDelivery | None:
        done = [o for i, o in self.outcomes if i == delivery_id and o.status is not Status.PENDING]
        return None if done else self.records.get(delivery_id)

    async def finish(self, delivery_id: str, outcome: AttemptOutcome) -> None:
        self.outcomes.append((delivery_id, outcome))
        self.records[delivery_id] = replace(self.records[delivery_id], attempt=outcome.attempt)


@dataclass
class Scripted:
    answers: list[int | None]
    posts: list[Mapping[str, str]] = field(default_factory=list)

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        self.posts.append(headers)
        answer = self.answers.pop(0)
        if answer is None:
            raise EndpointUnreachable("ConnectError: refused")
        return answer


@dataclass
class Collect:
    items: list[Any] = field(default_factory=list)

    async def publish(self, due: Sequence[WebhookRetryDue]) -> None:
        self.items += due

    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None:
        self.items += impressions


def _webhooks(
    answers: list[int | None], **endpoint: Any
) -> tuple[Webhooks, FakeEndpoints, FakeDeliveries, Collect, Collect]:
    store = FakeEndpoints({"socio": Endpoint("socio", "https://socio.example/h", new_secret(), **endpoint)})
    deliveries, retries, impressions = FakeDeliveries(), Collect(), Collect()
    hooks = Webhooks(
        EndpointDirectory(store, 0),  # type: ignore[arg-type]
        deliveries,  # type: ignore[arg-type]
        Scripted(answers),
        retries,
        impressions,
        DeliveryPolicy(schedule_scale=0.001, disable_after=timedelta(days=5)),
    )
    return hooks, store, deliveries, retries, impressions


async def test_a_delivery_emits_one_webhook_impression_named_after_the_partner() -> None:
    hooks, _, _, retries, impressions = _webhooks([200])
    event = _event()
    [pending] = await hooks.record(event)
    assert await hooks.record(event) == []  # a redelivered event: its delivery is stored already
    assert await hooks.attempt_held(pending) is Status.DELIVERED
    delivery = pending.id
    [impression] = impressions.items
    assert (impression.kind, impression.channel, impression.channel_detail) == ("webhook", "webhook", "socio")
    assert "socio.example" not in impression.model_dump_json() and not retries.items
    assert await hooks.attempt(delivery) is None  # delivered: never again


async def test_a_failure_is_scheduled_on_the_retry_topic_then_delivered() -> None:
    hooks, store, _, retries, impressions = _webhooks([503, None, 200])
    [delivery] = [p.id for p in await hooks.record(_event())]
    assert await hooks.attempt(delivery) is Status.PENDING
    assert await hooks.attempt(delivery) is Status.PENDING
    [first, second] = retries.items
    assert (first.attempt, second.attempt, first.delivery_id) == (2, 3, delivery)
    assert first.due_at < second.due_at
    assert store.endpoints["socio"].failing_since is not None
    assert await hooks.attempt(delivery) is Status.DELIVERED
    assert store.endpoints["socio"].failing_since is None and len(impressions.items) == 1


async def test_410_gone_disables_the_endpoint() -> None:
    hooks, store, _, retries, _ = _webhooks([410])
    [delivery] = [p.id for p in await hooks.record(_event())]
    assert await hooks.attempt(delivery) is Status.FAILED
    assert not store.endpoints["socio"].enabled and "410" in (store.endpoints["socio"].disabled_reason or "")
    assert not retries.items
    assert await hooks.record(_event(change="updated")) == []  # nothing more is recorded for it


async def test_an_endpoint_failing_for_five_days_is_disabled() -> None:
    since = datetime.now(UTC) - timedelta(days=5, minutes=1)
    hooks, store, _, retries, _ = _webhooks([500], failing_since=since)
    [delivery] = [p.id for p in await hooks.record(_event())]
    assert await hooks.attempt(delivery) is Status.FAILED
    assert not store.endpoints["socio"].enabled
    assert "failing since" in (store.endpoints["socio"].disabled_reason or "") and not retries.items


async def test_the_last_attempt_fails_for_good() -> None:
    hooks, _, _, retries, _ = _webhooks([500] * 8)
    [delivery] = [p.id for p in await hooks.record(_event())]
    results = [await hooks.attempt(delivery) for _ in range(8)]
    assert results == [Status.PENDING] * 7 + [Status.FAILED] and len(retries.items) == 7


async def test_a_rotation_signs_with_both_secrets() -> None:
    old, new = new_secret(), new_secret()
    until = datetime.now(UTC) + timedelta(hours=1)
    hooks, _, _, _, _ = _webhooks([200], previous_secret=old, previous_until=until)
    hooks.directory.store.endpoints["socio"] = replace(hooks.directory.store.endpoints["socio"], secret=new)  # type: ignore[attr-defined]
    [delivery] = [p.id for p in await hooks.record(_event())]
    await hooks.attempt(delivery)
    [headers] = hooks.sender.posts  # type: ignore[attr-defined]
    body = hooks.deliveries.records[delivery].body.encode()  # type: ignore[attr-defined]
    assert Webhook(old).verify(body, dict(headers)) and Webhook(new).verify(body, dict(headers))


# --- the transport: a receiver that hangs, a redirect ---------------------------------------------------


@pytest.fixture
def hanging() -> Iterator[tuple[str, threading.Event]]:
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            release.wait(30)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", release
    release.set()
    server.shutdown()
    server.server_close()


def test_the_default_timeout_is_15_seconds() -> None:
    assert Settings().webhook_timeout_seconds == 15


async def test_a_receiver_that_hangs_is_cut_at_the_timeout(hanging: tuple[str, threading.Event]) -> None:
    url, _ = hanging
    async with webhook_client(0.5, ["127.0.0.1"]) as client:
        sender = HttpxWebhookSender(client, 0.5)
        started = asyncio.get_running_loop().time()
        with pytest.raises(EndpointUnreachable):
            await sender.post(url + "/hook", BODY, {})
        assert asyncio.get_running_loop().time() - started < 2


async def test_a_redirect_is_not_followed_and_refused(hanging: tuple[str, threading.Event]) -> None:
    url, _ = hanging
    async with webhook_client(2, ["127.0.0.1"]) as client:
        status = await HttpxWebhookSender(client, 2).post(url + "/redirect", BODY, {})
    assert status == 302 and verdict_for(status) is Verdict.REJECTED


async def test_a_private_address_is_refused_at_connect_time() -> None:
    async with webhook_client(2) as client:  # nothing allowlisted
        with pytest.raises(EndpointUnreachable, match="private, loopback"):
            await HttpxWebhookSender(client, 2).post("http://127.0.0.1:9/hook", BODY, {})


async def test_the_batcher_writes_many_adds_at_once_and_passes_errors_back() -> None:
    from boi_notify.adapters.batching import Batcher

    writes: list[list[int]] = []

    async def write(items: list[int]) -> None:
        if 13 in items:
            raise RuntimeError("disk full")
        writes.append(items)

    batcher: Batcher[int] = Batcher(write, max_items=50, max_delay=0.01)
    await asyncio.gather(*(batcher.add(i) for i in range(100, 220)))
    assert sorted(i for w in writes for i in w) == list(range(100, 220)) and len(writes) == 3
    with pytest.raises(RuntimeError, match="disk full"):
        await asyncio.gather(batcher.add(12), batcher.add(13))
