"""Email delivery against an SMTP server that answers what the test says (aiosmtpd), on the real Kafka and
FerretDB: a 550 suppresses the address, 451s are retried until accepted, an SMTP server down for 60 s loses
nothing, a deadline change reaches exactly those who received the call, and daily and weekly digests
(`boi notify digest`) carry exactly their period's matching calls, once."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from boi_shared.taxonomy import CallType
from tests.support.kafka import eventually
from tests.support.mail import Rule, SmtpServer, body, links, smtp_server
from tests.support.notify_mail import call_event, notify_process, publish_call, subscribe, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

DATABASE = f"notify_smtp_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints, smtp: SmtpServer) -> Iterator[ServiceProcess]:
    svc = notify_process(stack, DATABASE, smtp_port=smtp.port).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def db(stack: StackEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]
    await client.close()


async def _mails(
    smtp: SmtpServer, email: str, subject: str, count: int = 1, timeout: float = 60
) -> list[Any]:
    def check() -> list[Any] | None:
        found = [m for m in smtp.handler.to(email) if subject in str(m["Subject"])]
        return found if len(found) >= count else None

    result: list[Any] = await eventually(check, timeout=timeout)
    return result


async def _subscribed(notify: ServiceProcess, smtp: SmtpServer, email: str, **topic: str) -> None:
    assert subscribe(notify.url, email, **topic).status_code == 200
    [confirmation] = await _mails(smtp, email, "Confirma")
    [link] = links(body(confirmation), "confirmar")
    assert httpx.post(link, timeout=10).status_code == 200


async def _person(db: AsyncDatabase[dict[str, Any]], email: str) -> dict[str, Any]:
    found = await db["subscribers"].find_one({"email": email})
    assert found is not None
    return found


async def test_a_550_suppresses_the_address(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer, db: AsyncDatabase[dict[str, Any]]
) -> None:
    word, probe = uuid.uuid4().hex[:8], uuid.uuid4().hex
    bouncing, sentinel = unique_email("rebota"), unique_email("testigo")
    await _subscribed(notify, smtp, bouncing, q=word)
    await _subscribed(notify, smtp, sentinel, q=word)
    smtp.handler.rules[bouncing] = Rule(550, "5.1.1 mailbox unavailable")
    first = call_event(f"Beca {word} uno")
    await publish_call(stack, first, key=probe)
    await _mails(smtp, sentinel, "Nueva convocatoria")
    person = await _person(db, bouncing)
    assert person["suppressed_at"] is not None and "550" in person["suppressed_reason"]
    record = await db["mail_deliveries"].find_one({"subscriber_id": person["_id"], "call_ids": first.call_id})
    assert record is not None and record["status"] == "rejected"
    tried = smtp.handler.attempts[bouncing]
    second = call_event(f"Beca {word} dos")
    await publish_call(stack, second, key=probe)
    await _mails(smtp, sentinel, "Nueva convocatoria", count=2)
    assert smtp.handler.attempts[bouncing] == tried  # never mailed again
    assert smtp.handler.to(bouncing) == smtp.handler.to(bouncing)[:1]  # only the confirmation


async def test_451_twice_is_retried_until_accepted(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer, db: AsyncDatabase[dict[str, Any]]
) -> None:
    word, email = uuid.uuid4().hex[:8], unique_email("lenta")
    await _subscribed(notify, smtp, email, q=word)
    smtp.handler.rules[email] = Rule(451, "4.3.0 try again later", times=2)
    event = call_event(f"Voluntariado {word}", call_type=CallType.VOLUNTARIADO)
    await publish_call(stack, event)
    [alert] = await _mails(smtp, email, "Nueva convocatoria")
    assert "cierra el 15 de febrero de 2027" in body(alert)
    person = await _person(db, email)
    record = await db["mail_deliveries"].find_one({"subscriber_id": person["_id"], "call_ids": event.call_id})
    assert record is not None and (record["status"], record["attempts"]) == ("sent", 3)
    assert person["suppressed_at"] is None


async def test_a_deadline_change_reaches_exactly_those_who_received_the_call(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer
) -> None:
    word = uuid.uuid4().hex[:8]
    early, late = unique_email("temprana"), unique_email("tardia")
    await _subscribed(notify, smtp, early, q=word)
    original = call_event(f"Fondo {word} para museos", call_type=CallType.SUBVENCION)
    await publish_call(stack, original)
    await _mails(smtp, early, "Nueva convocatoria")
    await _subscribed(notify, smtp, late, q=word)
    moved = original.call.model_copy(update={"deadline": date(2027, 3, 1)})
    changed = call_event("x", call_id=original.call_id, version=2, change="updated").model_copy(
        update={"call": moved, "changed_fields": ["deadline"]}
    )
    await publish_call(stack, changed)
    after = call_event(f"Fondo {word} para teatros", call_type=CallType.SUBVENCION)
    await publish_call(stack, after, key=original.call_id)  # same partition: handled after the change
    await _mails(smtp, late, "Nueva convocatoria")
    [correction] = await _mails(smtp, early, "Cambió")
    text = body(correction)
    assert "Fecha de cierre: cierra el 15 de febrero de 2027 → cierra el 1 de marzo de 2027" in text
    assert correction["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not [m for m in smtp.handler.to(late) if "Cambió" in str(m["Subject"])]


def _boi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "boi"), "notify", *args]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


async def test_daily_and_weekly_digests_carry_exactly_their_period_once(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer, db: AsyncDatabase[dict[str, Any]]
) -> None:
    word = uuid.uuid4().hex[:8]
    daily, weekly = unique_email("diaria"), unique_email("semanal")
    await _subscribed(notify, smtp, daily, frequency="diaria", q=word)
    await _subscribed(notify, smtp, weekly, frequency="semanal", q=word)

    def at(day: int) -> datetime:  # March 2031: the 10th is a Monday; 15:00 UTC is 10:00 in Bogotá
        return datetime(2031, 3, day, 15, tzinfo=UTC)

    events = {
        "a": call_event(f"Beca {word} alfa", occurred_at=at(12)),
        "b": call_event(f"Premio {word} beta", call_type=CallType.PREMIO, occurred_at=at(12)),
        "other": call_event("Beca sin relación", occurred_at=at(12)),
        "next_day": call_event(f"Curso {word} gamma", call_type=CallType.CURSO, occurred_at=at(13)),
        "last_week": call_event(f"Beca {word} delta", occurred_at=at(9)),
    }
    for event in events.values():
        await publish_call(stack, event)
    ids = [e.call_id for e in events.values()]

    async def all_stored() -> bool:
        return await db["calls"].count_documents({"_id": {"$in": ids}}) == len(ids)

    await eventually(all_stored)
    env = notify.env
    dry = _boi(env, "digest", "--period", "diaria", "--fecha", "2031-03-12", "--dry-run")
    assert "diaria 2031-03-12: 1 digests, 2 calls in all" in dry.stdout and daily not in dry.stdout
    assert not [m for m in smtp.handler.to(daily) if "Resumen" in str(m["Subject"])]
    for _ in range(2):  # the scheduler firing twice sends one digest
        _boi(env, "digest", "--period", "diaria", "--fecha", "2031-03-12")
        _boi(env, "digest", "--period", "semanal", "--fecha", "2031-03-14")
    [day] = await _mails(smtp, daily, "Resumen diario")
    [week] = await _mails(smtp, weekly, "Resumen semanal")
    assert str(day["Subject"]) == "2 convocatorias nuevas · Resumen diario del 12 de marzo de 2031"
    assert str(week["Subject"]) == "3 convocatorias nuevas · Resumen semanal del 10 al 16 de marzo de 2031"
    day_text, week_text = body(day), body(week)
    for key in ("a", "b"):
        assert events[key].call.title in day_text and events[key].call.title in week_text
    assert events["next_day"].call.title not in day_text and events["next_day"].call.title in week_text
    for key in ("other", "last_week"):
        assert events[key].call.title not in day_text and events[key].call.title not in week_text


async def test_deadline_reminders_reach_those_who_received_the_call_once(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer
) -> None:
    word = uuid.uuid4().hex[:8]
    reader, newcomer = unique_email("lectora"), unique_email("nueva")
    await _subscribed(notify, smtp, reader, q=word)
    call = call_event(f"Premio {word} de periodismo", call_type=CallType.PREMIO, deadline=date(2031, 5, 8))
    await publish_call(stack, call)
    await _mails(smtp, reader, "Nueva convocatoria")
    await _subscribed(notify, smtp, newcomer, q=word)  # subscribed later: never received the call
    for _ in range(2):  # the scheduler firing twice reminds once
        done = _boi(notify.env, "reminders", "--fecha", "2031-05-01")
    assert "reminders sent: 0" in done.stdout
    [week] = await _mails(smtp, reader, "Cierra en 7 días")
    assert str(week["Subject"]) == f"Cierra en 7 días: {call.call.title}"
    assert "cierra el 8 de mayo de 2031" in body(week) and week["List-Unsubscribe-Post"]
    _boi(notify.env, "reminders", "--fecha", "2031-05-07")
    await _mails(smtp, reader, "Cierra mañana")
    _boi(notify.env, "reminders", "--fecha", "2031-05-03")  # no reminder is due 5 days before
    assert len([m for m in smtp.handler.to(reader) if "Cierra" in str(m["Subject"])]) == 2
    assert not [m for m in smtp.handler.to(newcomer) if "Cierra" in str(m["Subject"])]


async def test_an_smtp_server_down_for_60_s_delays_mail_and_loses_none(
    stack: StackEndpoints, notify: ServiceProcess, smtp: SmtpServer, db: AsyncDatabase[dict[str, Any]]
) -> None:
    word, email = uuid.uuid4().hex[:8], unique_email("paciente")
    await _subscribed(notify, smtp, email, q=word)
    person = await _person(db, email)
    smtp.stop()
    down_at = time.monotonic()
    events = [call_event(f"Alianza {word} {i}", call_type=CallType.ALIANZA) for i in range(3)]
    try:
        for event in events:
            await publish_call(stack, event)
        query = {"subscriber_id": person["_id"], "status": "deferred"}
        # Poll until the outage has lasted 60 s, and deferred attempts were recorded meanwhile.

        async def outage_lasted_with_deferrals() -> bool:
            deferred = await db["mail_deliveries"].count_documents(query)
            return time.monotonic() - down_at >= 60 and deferred > 0

        await eventually(outage_lasted_with_deferrals, timeout=120, interval=1)
        assert smtp.handler.to(email)[1:] == []
    finally:
        smtp.start()
    await _mails(smtp, email, "Nueva convocatoria", count=3, timeout=120)
    alerts = [m for m in smtp.handler.to(email) if "Nueva convocatoria" in str(m["Subject"])]
    assert sorted(str(m["Subject"]) for m in alerts) == sorted(
        f"Nueva convocatoria: {e.call.title}" for e in events
    )
