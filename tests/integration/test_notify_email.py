"""Email subscribers on the real stack (Kafka, FerretDB, Mailpit): double opt-in, an instant alert for a
new matching call and nothing for the rest, RFC 8058 one-click unsubscribe that deletes the person's data,
redelivery and two replicas that send nothing twice, and the `email` impressions."""

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from boi_shared.checks import KAFKA, MONGODB
from boi_shared.taxonomy import CallType
from tests.support.kafka import collect, eventually
from tests.support.mail import Mailpit, links
from tests.support.notify_mail import (
    call_event,
    notify_process,
    publish_call,
    subscribe,
    subscribed,
    unique_email,
)
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

DATABASE = f"notify_mail_{uuid.uuid4().hex[:8]}"
WORD = uuid.uuid4().hex[:8]  # a word of this run's calls: other runs' subscribers never match them


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = notify_process(stack, DATABASE).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def mailpit(stack: StackEndpoints) -> Mailpit:
    return Mailpit(stack.mailpit_url)


@pytest.fixture(scope="module")
async def db(stack: StackEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]
    await client.close()


async def _handled(db: AsyncDatabase[dict[str, Any]], call_id: str) -> None:
    """Notify stores a call once its emails are done."""
    await eventually(lambda: db["calls"].find_one({"_id": call_id}), timeout=60)


async def _subscribed(notify: ServiceProcess, mailpit: Mailpit, email: str, **topic: str) -> str:
    return await subscribed(notify.url, mailpit, email, **topic)


async def test_double_opt_in_then_an_instant_alert_for_a_matching_call_only(
    stack: StackEndpoints, notify: ServiceProcess, mailpit: Mailpit, db: AsyncDatabase[dict[str, Any]]
) -> None:
    email = unique_email("ana")
    probe = f"probe-{uuid.uuid4().hex}"
    answer = subscribe(notify.url, email, type="beca", q=f"maestría {WORD}")
    assert answer.status_code == 200
    [confirmation] = await mailpit.wait(email, "Confirma tu suscripción")
    assert "maestría" in confirmation["Text"] and "vence en 7 días" in confirmation["Text"]
    # Before confirmation nothing is sent, even for a matching call.
    before = call_event(f"Beca de maestría {WORD} en Japón")
    await publish_call(stack, before, key=probe)
    await _handled(db, before.call_id)
    [link] = links(confirmation["Text"], "confirmar")
    assert httpx.post(link, timeout=10).status_code == 200
    subscription = await db["subscriptions"].find_one({"topic.q": f"maestría {WORD}"})
    assert subscription is not None and subscription["status"] == "confirmed"
    assert (
        subscription["consent"]["text"].startswith("Acepto recibir")
        and subscription["consent"]["confirmed_at"]
    )

    other_type = call_event(f"Premio maestría {WORD}", call_type=CallType.PREMIO)
    other_words = call_event(f"Beca de doctorado {WORD}")
    matching = call_event(f"Beca de maestría {WORD} en Corea")
    for event in (other_type, other_words, matching):  # one partition: handled in this order
        await publish_call(stack, event, key=probe)
    [alert] = await mailpit.wait(email, "Nueva convocatoria")
    assert alert["Subject"] == f"Nueva convocatoria: Beca de maestría {WORD} en Corea"
    assert "cierra el 15 de febrero de 2027" in alert["Text"] and "Colombia puede postularse" in alert["Text"]
    assert "utm_source=boi&amp;utm_medium=email&amp;utm_campaign=alerta" in alert["HTML"]
    assert 'style="' in alert["HTML"] and "<style" not in alert["HTML"]  # CSS inlined
    unsubscribe = alert["Headers"]["List-Unsubscribe"][0]
    assert unsubscribe.startswith(f"<{notify.url}/suscripcion/baja?t=")
    assert alert["Headers"]["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    everything = mailpit.summaries(email)
    assert sorted(m["Subject"] for m in everything) == sorted([confirmation["Subject"], alert["Subject"]]), (
        "only the confirmation and the one matching alert"
    )
    impressions = await collect(
        stack.kafka_bootstrap,
        "metrics.impressions.v1",
        lambda v: v.get("call_id") == matching.call_id and v.get("kind") == "email",
    )
    assert impressions[0]["channel"] == "email" and email not in json.dumps(impressions)


async def test_one_click_unsubscribe_deletes_the_address_everywhere(
    stack: StackEndpoints, notify: ServiceProcess, mailpit: Mailpit, db: AsyncDatabase[dict[str, Any]]
) -> None:
    email = unique_email("luis")
    word = uuid.uuid4().hex[:8]
    await _subscribed(notify, mailpit, email, q=word)
    event = call_event(f"Fondo {word} para bibliotecas", call_type=CallType.SUBVENCION)
    await publish_call(stack, event)
    [alert] = await mailpit.wait(email, "Nueva convocatoria")
    url = alert["Headers"]["List-Unsubscribe"][0].strip("<>")
    # A mail scanner following the link unsubscribes nobody.
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "Darme de baja" in page.text
    assert await db["subscribers"].find_one({"email": email}) is not None
    # RFC 8058: the client POSTs List-Unsubscribe=One-Click to the header's URL.
    done = httpx.post(url, content=b"List-Unsubscribe=One-Click", timeout=10,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert done.status_code == 200 and "Te diste de baja" in done.text
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            assert email not in json.dumps(doc, default=str), f"{email} still in {name}"
    [delivery] = await db["mail_deliveries"].find({"call_ids": event.call_id}).to_list()
    assert delivery["subscriber_id"] is None and delivery["status"] == "sent"  # an anonymous count
    again = httpx.post(url, timeout=10)
    assert again.status_code == 200  # the link in an old email still answers


async def test_tampered_and_foreign_links_get_a_page_that_says_so(notify: ServiceProcess) -> None:
    for path in ("confirmar", "baja", "gestionar"):
        page = httpx.get(f"{notify.url}/suscripcion/{path}?t=abc.def.ghi", timeout=10)
        assert page.status_code == 400 and "El enlace no es válido" in page.text
    bad = subscribe(notify.url, "no-es-un-correo")
    assert bad.status_code == 422 and "no es válida" in bad.text
    disposable = subscribe(notify.url, f"x{uuid.uuid4().hex[:6]}@mailinator.com")
    assert disposable.status_code == 422 and "correo temporal" in disposable.text
    no_consent = httpx.post(
        f"{notify.url}/suscripcion", data={"email": unique_email("x"), "frecuencia": "diaria"}
    )
    assert no_consent.status_code == 422 and "autorización" in no_consent.text


async def test_one_confirmation_an_hour_per_address(
    notify: ServiceProcess, mailpit: Mailpit, db: AsyncDatabase[dict[str, Any]]
) -> None:
    email = unique_email("flood")
    for i in range(5):
        assert subscribe(notify.url, email, frequency="diaria", q=f"tema{i}").status_code == 200
    await mailpit.wait(email, "Confirma")
    person = await db["subscribers"].find_one({"email": email})
    assert person is not None
    assert await db["subscriptions"].count_documents({"subscriber_id": person["_id"]}) == 5
    assert len(mailpit.summaries(email)) == 1


async def test_a_redelivered_event_and_two_replicas_send_nothing_twice(
    stack: StackEndpoints, notify: ServiceProcess, mailpit: Mailpit, db: AsyncDatabase[dict[str, Any]]
) -> None:
    email = unique_email("rosa")
    word = uuid.uuid4().hex[:8]
    await _subscribed(notify, mailpit, email, q=word)
    twin = notify_process(stack, DATABASE).start()  # a second replica in the same consumer group
    try:
        events = [call_event(f"Curso {word} número {i}", call_type=CallType.CURSO) for i in range(6)]
        for event in events:
            await publish_call(stack, event)
            await publish_call(stack, event)  # the same event again: a redelivery
        await mailpit.wait(email, "Nueva convocatoria", count=6, timeout=120)
        for event in events:
            await _handled(db, event.call_id)
    finally:
        twin.stop()
    alerts = [m for m in mailpit.summaries(email) if "Nueva convocatoria" in m["Subject"]]
    assert len(alerts) == 6 and len({m["Subject"] for m in alerts}) == 6


async def test_readiness_names_its_checks_like_every_service(notify: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=notify.url) as client:
        ready = (await client.get("/readyz")).json()
    assert ready == {"ready": True, "checks": {KAFKA: "ok", MONGODB: "ok"}}
