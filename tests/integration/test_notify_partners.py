"""Partner webhooks on the real stack (Kafka, FerretDB, notify as a process, `boi partners` as an operator
runs it), verified by partners' own tool: the `standardwebhooks` package. Receivers are local HTTP
servers: they are the partners. The retry schedule runs scaled (BOI_WEBHOOK_SCHEDULE_SCALE)."""

import json
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from standardwebhooks import Webhook, WebhookVerificationError

from boi_catalog.web.auth import Sessions, User, hash_password
from boi_shared.events import CallPublished, PublicCall
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import collect, eventually, publish
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints
from tests.support.webhook import ReceivedRequest, WebhookReceiver, webhook_receiver

DATABASE = f"notify_partners_{uuid.uuid4().hex[:8]}"
SESSION_SECRET = uuid.uuid4().hex
USERS = f"ana:admin:{hash_password('x', iterations=1000)},luis:curator:{hash_password('y', iterations=1000)}"
SCALE = 0.002  # 5 s, 5 min, 30 min, 2 h … → 0.01 s, 0.6 s, 3.6 s, 14.4 s …
NAMES = ("becas", "colombia", "flaky", "gone", "rot")


def env(stack: StackEndpoints) -> dict[str, str]:
    return {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": DATABASE,
        "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
        "BOI_WEBHOOK_ALLOW_HTTP": "true",
        "BOI_WEBHOOK_SCHEDULE_SCALE": str(SCALE),
        "BOI_WEBHOOK_SWEEP_SECONDS": "1",
        "BOI_WEBHOOK_ENDPOINT_REFRESH_SECONDS": "0.5",
        "BOI_WEBHOOK_TIMEOUT_SECONDS": "3",
        "BOI_SCHEDULER_INTERVAL_SECONDS": "0",
        "BOI_SESSION_SECRET": SESSION_SECRET,
        "BOI_CONSOLE_USERS": USERS,
        "BOI_API_RATE_PER_MINUTE": "0",
    }


def boi(stack: StackEndpoints, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "boi"), "partners", *args],
        env={**os.environ, **env(stack)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def secret_of(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    [secret] = [w for w in done.stdout.split() if w.startswith("whsec_")]
    return secret


@pytest.fixture(scope="module")
def receivers() -> Iterator[dict[str, WebhookReceiver]]:
    with (
        webhook_receiver() as a,
        webhook_receiver() as b,
        webhook_receiver() as c,
        webhook_receiver() as d,
        webhook_receiver() as e,
    ):
        yield dict(zip(NAMES, (a, b, c, d, e), strict=True))


@pytest.fixture(scope="module")
def secrets(stack: StackEndpoints, receivers: dict[str, WebhookReceiver]) -> dict[str, str]:
    filters = {
        "becas": ["--filter", "type=beca"],
        "colombia": ["--filter", "colombia=si", "--filter", "change=published"],
    }
    return {
        name: secret_of(boi(stack, "add", receivers[name].url, "--name", name, *filters.get(name, [])))
        for name in NAMES
    }


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints, secrets: dict[str, str]) -> Iterator[ServiceProcess]:
    svc = ServiceProcess("notify", env(stack)).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def db(stack: StackEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]
    await client.close()


def event(call_type: CallType, colombia: Eligibility, change: str = "published") -> CallPublished:
    url = f"https://example.org/{uuid.uuid4()}"
    return CallPublished(
        call_id=call_id_for(url),
        version=1,
        change=change,  # type: ignore[arg-type]
        call=PublicCall(
            url=url,
            title="Convocatoria",
            summary="Resumen.",
            status="publicada",
            call_type=call_type,
            colombia_eligible=colombia,
        ),
    )


async def send(stack: StackEndpoints, *events: CallPublished) -> None:
    for e in events:
        await publish(
            stack.kafka_bootstrap, "calls.published.v1", e.model_dump_json().encode(), e.call_id.encode()
        )


def event_ids(receiver: WebhookReceiver, answered: int = 200) -> list[str]:
    return [body_event_id(r) for r in receiver.requests if r.answered == answered]


def body_event_id(request: ReceivedRequest) -> str:
    return str(json.loads(request.body)["event_id"])


async def wait_for(receiver: WebhookReceiver, wanted: set[str], timeout: float = 90) -> None:
    async def arrived() -> bool:
        return wanted <= set(event_ids(receiver))

    await eventually(arrived, timeout=timeout)


def verified(secret: str, request: ReceivedRequest) -> dict[str, Any]:
    result: dict[str, Any] = Webhook(secret).verify(request.body, request.headers)
    return result


async def test_two_partners_get_exactly_their_calls_signed_with_their_own_secret(
    stack: StackEndpoints,
    notify: ServiceProcess,
    receivers: dict[str, WebhookReceiver],
    secrets: dict[str, str],
) -> None:
    beca_si = event(CallType.BECA, Eligibility.SI)
    beca_no = event(CallType.BECA, Eligibility.NO)
    curso_si = event(CallType.CURSO, Eligibility.SI)
    curso_si_updated = event(CallType.CURSO, Eligibility.SI, change="updated")
    premio_no = event(CallType.PREMIO, Eligibility.NO)
    await send(stack, beca_si, beca_no, curso_si, curso_si_updated, premio_no)
    want = {
        "becas": {str(e.event_id) for e in (beca_si, beca_no)},
        "colombia": {str(e.event_id) for e in (beca_si, curso_si)},
    }
    everything = {str(e.event_id) for e in (beca_si, beca_no, curso_si, curso_si_updated, premio_no)}
    await wait_for(receivers["flaky"], everything)  # no filter: every event; the others are done too
    for name, wanted in want.items():
        await wait_for(receivers[name], wanted)
        got = [r for r in receivers[name].requests if body_event_id(r) in everything]
        assert sorted(body_event_id(r) for r in got) == sorted(wanted), name
        for request in got:
            assert verified(secrets[name], request)["event_id"] in wanted
            other = secrets["colombia" if name == "becas" else "becas"]
            with pytest.raises(WebhookVerificationError):
                verified(other, request)
            assert (request.header("webhook-id") or "").startswith("msg_")


async def test_a_failing_endpoint_gets_everything_later_once_and_delays_no_one(
    stack: StackEndpoints,
    notify: ServiceProcess,
    receivers: dict[str, WebhookReceiver],
    secrets: dict[str, str],
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    flaky, other = receivers["flaky"], receivers["becas"]
    flaky.fail_for(8.0)  # 3 minutes at 1/22.5 scale: the attempts at ~0, 0.6 s and 4.2 s fail
    events = [event(CallType.BECA, Eligibility.SI) for _ in range(10)]
    started = time.monotonic()
    await send(stack, *events)
    wanted = {str(e.event_id) for e in events}
    await wait_for(other, wanted, timeout=30)
    other_done = time.monotonic() - started
    assert other_done < 8.0, f"the healthy partner waited {other_done:.1f}s for the failing one"
    assert any(r.answered == 500 and body_event_id(r) in wanted for r in flaky.requests)
    await wait_for(flaky, wanted, timeout=120)
    delivered = [r for r in flaky.requests if r.answered == 200 and body_event_id(r) in wanted]
    ids = Counter(r.header("webhook-id") for r in delivered)
    assert len(ids) == 10 and set(ids.values()) == {1}, ids
    for r in flaky.requests:
        if body_event_id(r) in wanted:
            verified(secrets["flaky"], r)
    # The same webhook-id on every attempt of one event, and one delivery record each, delivered.
    attempts = Counter(
        (r.header("webhook-id"), body_event_id(r)) for r in flaky.requests if body_event_id(r) in wanted
    )
    assert len({wid for wid, _ in attempts}) == 10
    records = (
        await db["webhook_deliveries"]
        .find({"endpoint": "flaky", "event_id": {"$in": list(wanted)}})
        .to_list()
    )
    assert len(records) == 10 and max(r["attempts"] for r in records) >= 1  # the failed attempts

    async def recorded() -> list[dict[str, Any]] | None:  # written in batches, just after the answers
        found = await db["webhook_delivered"].find({"_id": {"$in": [r["_id"] for r in records]}}).to_list()
        return found if len(found) == 10 else None

    done = await eventually(recorded, timeout=30)
    assert max(d["attempt"] for d in done) >= 2


async def test_redelivered_event_is_not_sent_twice(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    e = event(CallType.BECA, Eligibility.SI)
    await send(stack, e, e)
    later = event(CallType.BECA, Eligibility.SI)
    later = later.model_copy(update={"call_id": e.call_id})  # same partition, after both copies
    await send(stack, later)
    await wait_for(receivers["becas"], {str(later.event_id)})
    assert event_ids(receivers["becas"]).count(str(e.event_id)) == 1


async def test_410_gone_disables_the_endpoint(
    stack: StackEndpoints,
    notify: ServiceProcess,
    receivers: dict[str, WebhookReceiver],
    db: AsyncDatabase[dict[str, Any]],
) -> None:
    gone = receivers["gone"]
    gone.always(410)
    first = event(CallType.BECA, Eligibility.SI)
    await send(stack, first)

    async def disabled() -> dict[str, Any] | None:
        doc = await db["partner_endpoints"].find_one({"_id": "gone", "enabled": False})
        return doc

    doc = await eventually(disabled, timeout=60)
    assert "410" in doc["disabled_reason"]
    assert "DISABLED" in boi(stack, "list").stdout
    second = event(CallType.BECA, Eligibility.SI)
    await send(stack, second)
    await wait_for(receivers["becas"], {str(second.event_id)})
    assert str(second.event_id) not in [body_event_id(r) for r in gone.requests]


async def test_rotation_sends_two_signatures_that_both_verify(
    stack: StackEndpoints,
    notify: ServiceProcess,
    receivers: dict[str, WebhookReceiver],
    secrets: dict[str, str],
) -> None:
    old = secrets["rot"]
    new = secret_of(boi(stack, "rotate", "rot"))
    assert new != old

    async def two_signatures() -> ReceivedRequest | None:
        e = event(CallType.BECA, Eligibility.SI)
        await send(stack, e)
        await wait_for(receivers["rot"], {str(e.event_id)})
        [request] = [r for r in receivers["rot"].requests if body_event_id(r) == str(e.event_id)]
        return request if len((request.header("webhook-signature") or "").split()) == 2 else None

    request = await eventually(two_signatures, timeout=60)
    assert verified(new, request) and verified(old, request)
    with pytest.raises(WebhookVerificationError):
        verified(secrets["becas"], request)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["http://partner.example.org/hook", "--name", "plain"], "must start with https://"),
        (["https://10.1.2.3/hook", "--name", "private"], "private, loopback"),
        (["https://169.254.169.254/latest/meta-data", "--name", "metadata"], "private, loopback"),
        (["https://localhost/hook", "--name", "localhost"], "resolves to"),
        (["https://user:pw@partner.example.org/hook", "--name", "creds"], "user or password"),
        (["https://partner.example.org/hook", "--name", "Bad Name!"], "lowercase letters"),
        (["https://partner.example.org/hook", "--name", "f1", "--filter", "type=nada"], "filter type"),
        (["https://partner.example.org/hook", "--name", "f2", "--filter", "typo=beca"], "unknown filter key"),
        (["https://partner.example.org/hook", "--name", "f3", "--filter", "beca"], "KEY=VALUE"),
        (
            ["https://partner.example.org/hook", "--name", "f4", "--filter", "sector=" + "x," * 600],
            "longer than",
        ),
        (
            [
                "https://partner.example.org/hook",
                "--name",
                "f5",
                "--filter",
                "sector=" + ",".join("abcdefghijklmnopqrstuvwxyz"),
            ],
            "at most 20",
        ),
    ],
)
def test_hostile_registrations_are_refused_with_a_reason(
    stack: StackEndpoints, args: list[str], reason: str
) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "boi"), "partners", "add", *args],
        env={
            **os.environ,
            **stack.service_env(),
            "BOI_MONGO_DATABASE": DATABASE,
            "BOI_OUTBOUND_ALLOWLIST": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert reason in done.stderr and "whsec_" not in done.stdout + done.stderr


async def test_each_delivery_counts_one_webhook_impression_named_after_the_partner(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    e = event(CallType.BECA, Eligibility.SI)
    await send(stack, e)
    await wait_for(receivers["becas"], {str(e.event_id)})
    found = await collect(
        stack.kafka_bootstrap,
        "metrics.impressions.v1",
        lambda v: v.get("call_id") == e.call_id and v.get("kind") == "webhook",
        expected=4,  # becas, colombia, flaky and rot take a published beca eligible in Colombia
    )
    assert sorted(v["channel_detail"] for v in found) == ["becas", "colombia", "flaky", "rot"]
    assert all(v["channel"] == "webhook" and "127.0.0.1" not in json.dumps(v) for v in found)
    assert not any("whsec_" in json.dumps(v) for v in found)


async def test_failures_go_through_the_retry_topic(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    receivers["flaky"].fail_next(1, status=503)
    e = event(CallType.CURSO, Eligibility.NO)
    await send(stack, e)
    await wait_for(receivers["flaky"], {str(e.event_id)})
    [due] = await collect(
        stack.kafka_bootstrap,
        "notify.webhook-retries.v1",
        lambda v: v.get("call_id") == e.call_id and v.get("endpoint") == "flaky",
    )
    assert due["attempt"] == 2 and due["delivery_id"] == f"{e.event_id}:flaky"


async def test_replay_sends_again_with_the_same_webhook_id(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    since = datetime.now(UTC)
    e = event(CallType.BECA, Eligibility.NO)
    await send(stack, e)
    await wait_for(receivers["becas"], {str(e.event_id)})
    done = boi(stack, "replay", "becas", "--since", since.isoformat())
    assert done.returncode == 0 and "1 deliveries due again" in done.stdout, done.stdout + done.stderr

    async def twice() -> list[ReceivedRequest] | None:
        got = [r for r in receivers["becas"].requests if body_event_id(r) == str(e.event_id)]
        return got if len(got) == 2 else None

    first, second = await eventually(twice, timeout=60)
    assert first.header("webhook-id") == second.header("webhook-id")
    assert "--since" in boi(stack, "replay", "becas", "--since", "ayer").stderr


async def test_poison_goes_to_the_dlq_and_the_next_event_is_delivered(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    marker = uuid.uuid4().hex
    await publish(stack.kafka_bootstrap, "calls.published.v1", json.dumps({"junk": marker}).encode(), b"x")
    await collect(stack.kafka_bootstrap, "calls.published.v1.dlq", lambda v: marker in v.get("payload", ""))
    e = event(CallType.BECA, Eligibility.SI)
    await send(stack, e)
    await wait_for(receivers["becas"], {str(e.event_id)})


def _cookies(name: str, role: str) -> tuple[dict[str, str], str]:
    users = Sessions(USERS, SESSION_SECRET, secure=False)
    user = User(name, role, f"csrf-{name}")  # type: ignore[arg-type]
    return {"boi_console": users.cookie(user)}, user.csrf


async def test_console_page_for_admins_only_and_never_a_secret(
    stack: StackEndpoints,
    notify: ServiceProcess,
    receivers: dict[str, WebhookReceiver],
    secrets: dict[str, str],
) -> None:
    page = f"{notify.url}/consola/socios"
    assert httpx.get(page, timeout=10).status_code == 401
    curator, _ = _cookies("luis", "curator")
    assert httpx.get(page, cookies=curator, timeout=10).status_code == 403
    admin, csrf = _cookies("ana", "admin")
    listing = httpx.get(page, cookies=admin, timeout=10)
    assert listing.status_code == 200 and all(name in listing.text for name in NAMES)
    assert "DESACTIVADO" in listing.text and "whsec_" not in listing.text  # `gone` was disabled by its 410
    refused = httpx.post(page, cookies=admin, data={"csrf": csrf, "nombre": "x", "url": "https://10.0.0.1/h"})
    assert refused.status_code == 400 and "private, loopback" in refused.text
    no_csrf = {"nombre": "consola", "url": receivers["rot"].url}
    assert httpx.post(page, cookies=admin, data=no_csrf, timeout=10).status_code == 403
    added = httpx.post(
        page,
        cookies=admin,
        data={**no_csrf, "csrf": csrf, "filtro": "type=beca colombia=si"},
        timeout=10,
    )
    assert added.status_code == 303 and "whsec_" not in added.text
    shown = httpx.get(page + "?" + added.headers["location"].partition("?")[2], cookies=admin, timeout=10)
    assert "boi partners secret consola" in shown.text and "whsec_" not in shown.text
    assert secret_of(boi(stack, "secret", "consola")).startswith("whsec_")  # once, on a terminal
    again = boi(stack, "secret", "consola")
    assert again.returncode == 2 and "shown already" in again.stderr and "whsec_" not in again.stdout
    log = httpx.get(f"{page}/becas", cookies=admin, timeout=10)
    assert log.status_code == 200 and "delivered" in log.text and "whsec_" not in log.text
    assert httpx.get(f"{page}/becas", cookies=curator, timeout=10).status_code == 403


async def test_disable_enable_and_log_from_the_command_line(
    stack: StackEndpoints, notify: ServiceProcess, receivers: dict[str, WebhookReceiver]
) -> None:
    assert boi(stack, "disable", "colombia").returncode == 0
    listed = boi(stack, "list").stdout
    assert "colombia" in listed and "DISABLED (disabled by an admin)" in listed and "whsec_" not in listed
    skipped = event(CallType.CURSO, Eligibility.SI)
    await send(stack, skipped)
    await wait_for(receivers["flaky"], {str(skipped.event_id)})  # handled: `colombia` was not recorded
    assert boi(stack, "enable", "colombia").returncode == 0
    sent = event(CallType.CURSO, Eligibility.SI)
    await send(stack, sent)
    await wait_for(receivers["colombia"], {str(sent.event_id)})
    assert str(skipped.event_id) not in event_ids(receivers["colombia"])
    log = boi(stack, "log", "colombia", "--limit", "5")
    assert log.returncode == 0 and sent.call_id in log.stdout and "delivered" in log.stdout
    unknown = boi(stack, "disable", "nadie")
    assert unknown.returncode == 2 and "no endpoint named 'nadie'" in unknown.stderr
