"""The reach of the bulletin on the real stack (Kafka, FerretDB, Mailpit, the catalog and notify as
processes), both started with another entity's `BOI_BRAND_*` settings:

- a curator approves the weekly bulletin in the catalog's console; the catalog hands it over on
  `bulletins.published.v1`; weekly subscribers get it by email once (approving again sends nothing twice),
  with RFC 8058 headers; a daily subscriber gets nothing;
- every email carries the other entity's name, logo, colours, contact and data controller;
- a topic on an ODS alerts only for calls with that goal;
- a person who chose reminders 3 days before a deadline gets that one, not the default 7 days;
- a bulletin message that is not one is dead-lettered and the next one is mailed."""

import os
import random
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from boi_catalog.web.auth import Sessions, User
from boi_shared.events import BulletinCall, BulletinPublished
from tests.integration.test_catalog_branding import LOGO, OTHER
from tests.support.catalog_site import Site, catalog_site, days, enriched, users_env, word
from tests.support.kafka import collect, publish
from tests.support.mail import Mailpit, links
from tests.support.notify_mail import call_event, notify_process, publish_call, subscribed, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack
SECRET = uuid.uuid4().hex
DATABASE = f"notify_reach_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brand") / "logo.svg"
    path.write_bytes(LOGO)
    return path


@pytest.fixture(scope="module")
def site(stack: StackEndpoints, logo: Path) -> Iterator[Site]:
    with catalog_site(stack, BOI_BRAND_LOGO_PATH=str(logo), BOI_SESSION_SECRET=SECRET, **OTHER) as running:
        yield running


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints, site: Site, logo: Path) -> Iterator[ServiceProcess]:
    env = {**OTHER, "BOI_BRAND_LOGO_PATH": str(logo), "BOI_PUBLIC_BASE_URL": site.url}
    svc = notify_process(stack, DATABASE, **env).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def mailpit(stack: StackEndpoints) -> Mailpit:
    return Mailpit(stack.mailpit_url)


def _approve(site: Site, week: str, title: str, call_ids: list[str]) -> None:
    user = User("carlos", "curator", "csrf-carlos")
    cookie = Sessions(users_env(), SECRET, secure=False).cookie(user)
    form: dict[str, Any] = {
        "csrf": user.csrf,
        "semana": week,
        "accion": "aprobar",
        "titulo": title,
        "intro": "Cinco oportunidades elegidas por la oficina.",
        "call_id": call_ids,
    }
    form.update({f"orden_{cid}": str(n) for n, cid in enumerate(call_ids, 1)})
    answer = httpx.post(f"{site.url}/consola/boletin", data=form, cookies={"boi_console": cookie}, timeout=30)
    assert answer.status_code == 303 and "aprobado" in answer.headers["location"], answer.text[:500]


def _branded(mail: dict[str, Any], site: Site) -> None:
    html, text = mail["HTML"], mail["Text"]
    for part in (html, text):
        assert OTHER["BOI_BRAND_ENTITY"] in part and OTHER["BOI_BRAND_CONTACT_EMAIL"] in part
        assert OTHER["BOI_BRAND_PRIVACY_CONTROLLER"] in part
        assert "Boletín de Oferta Internacional" not in part  # the default entity's name is gone
    assert OTHER["BOI_BRAND_NAME"] in html and OTHER["BOI_BRAND_TAGLINE"] in html
    assert OTHER["BOI_BRAND_PRIMARY_COLOR"] in html and OTHER["BOI_BRAND_ACCENT_COLOR"] in html
    assert f'src="{site.url}/marca/logo"' in html


async def test_the_approved_bulletin_reaches_weekly_subscribers_once_with_the_entity_brand(
    stack: StackEndpoints, site: Site, notify: ServiceProcess, mailpit: Mailpit
) -> None:
    w = word()
    weekly, daily = unique_email("semanal"), unique_email("diaria")
    await subscribed(notify.url, mailpit, weekly, "semanal", q=w)
    await subscribed(notify.url, mailpit, daily, "diaria", q=w)
    [confirmation] = await mailpit.wait(weekly, "Confirma tu suscripción")
    assert OTHER["BOI_BRAND_NAME"] in confirmation["Subject"]
    _branded(confirmation, site)

    calls = [enriched(f"Beca {w} número {n}", deadline=days(20 + n)) for n in range(5)]
    await site.publish(*calls)
    week, later = f"{random.randint(2040, 2090)}-{random.randint(10, 50)}", "2091-01"
    ids = [c.call_id for c in calls][::-1]  # the curator's order
    _approve(site, week, f"Lo mejor de la semana {w}", ids)
    _approve(site, week, f"Lo mejor de la semana {w}", ids)  # approved again: emailed once
    events = await collect(stack.kafka_bootstrap, "bulletins.published.v1",
                           lambda v: v.get("week") == week, expected=2)  # fmt: skip
    assert [c["call_id"] for c in events[0]["calls"]] == ids
    _approve(site, later, f"La semana siguiente {w}", ids)  # handled after both: same partition
    [after] = await mailpit.wait(weekly, "La semana siguiente", timeout=120)
    [bulletin] = await mailpit.wait(weekly, f"Lo mejor de la semana {w}")
    assert bulletin["Subject"] == f"{OTHER['BOI_BRAND_NAME']}: Lo mejor de la semana {w}"
    text = bulletin["Text"]
    positions = [text.index(f"Beca {w} número {n}") for n in range(5)]
    assert positions == sorted(positions, reverse=True)  # in the curator's order
    page = events[0]["public_url"]
    assert page.endswith(f"/boletin/{week}")
    assert f"{page}?utm_source=boi&utm_medium=email&utm_campaign=boletin" in text
    assert "Becas y ayudas al estudio" in text  # the entity's label of the call type
    assert bulletin["Headers"]["List-Unsubscribe"][0].startswith(f"<{notify.url}/suscripcion/baja?t=")
    assert bulletin["Headers"]["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    _branded(bulletin, site)
    _branded(after, site)
    assert not [m for m in mailpit.summaries(daily) if "semana" in m["Subject"]]


def _boi(env: dict[str, str], *args: str) -> str:
    command = [str(Path(sys.executable).parent / "boi"), "notify", *args]
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_an_ods_topic_and_reminders_chosen_by_the_person(
    stack: StackEndpoints, notify: ServiceProcess, mailpit: Mailpit
) -> None:
    w, probe = word(), f"probe-{uuid.uuid4().hex}"
    person = unique_email("ods")
    await subscribed(notify.url, mailpit, person, "inmediata", q=w, ods="4")
    other_goal = call_event(f"Beca {w} para el clima", deadline=date(2031, 5, 8))
    other_goal = other_goal.model_copy(update={"call": other_goal.call.model_copy(update={"ods": [13]})})
    matching = call_event(f"Beca {w} para maestros", deadline=date(2031, 5, 8))
    matching = matching.model_copy(update={"call": matching.call.model_copy(update={"ods": [4, 10]})})
    for event in (other_goal, matching):  # one partition: handled in this order
        await publish_call(stack, event, key=probe)
    [alert] = await mailpit.wait(person, "Nueva convocatoria")
    assert alert["Subject"] == f"Nueva convocatoria: Beca {w} para maestros"
    assert "ODS 4: Educación de calidad" in alert["Text"]
    assert len([m for m in mailpit.summaries(person) if "Nueva convocatoria" in m["Subject"]]) == 1

    [manage] = links(alert["Text"], "gestionar")
    page = httpx.get(manage, timeout=10)
    assert page.status_code == 200 and 'value="7" checked' in page.text and 'value="3">' in page.text
    refused = httpx.post(manage.replace("/gestionar?", "/gestionar/recordatorios?"), data={"dias": "5"})
    assert refused.status_code == 422
    saved = httpx.post(manage.replace("/gestionar?", "/gestionar/recordatorios?"), data={"dias": "3"})
    assert saved.status_code == 200 and "3 días antes" in saved.text
    assert "reminders sent: 0" in _boi(notify.env, "reminders", "--fecha", "2031-05-01")  # 7 days: not chosen
    assert "reminders sent: 1" in _boi(notify.env, "reminders", "--fecha", "2031-05-05")
    assert "reminders sent: 0" in _boi(notify.env, "reminders", "--fecha", "2031-05-05")  # once
    [reminder] = await mailpit.wait(person, "Cierra en 3 días")
    assert reminder["Subject"] == f"Cierra en 3 días: Beca {w} para maestros"


async def test_a_bulletin_message_that_is_not_one_is_dead_lettered_and_the_next_one_is_mailed(
    stack: StackEndpoints, notify: ServiceProcess, mailpit: Mailpit
) -> None:
    w = word()
    person = unique_email("semanal")
    await subscribed(notify.url, mailpit, person, "semanal", q=w)
    poison = b'{"week": "2031-13", "title": "sin llamadas", "calls": []}'
    await publish(stack.kafka_bootstrap, "bulletins.published.v1", poison, key=b"2031-13")
    call = call_event(f"Beca {w} del boletín").call
    good = BulletinPublished(week="2092-14", title=f"Boletín {w}", public_url="https://boi.example/boletin/2092-14",
                             calls=[BulletinCall(call_id="c-boletin-1", call=call)])  # fmt: skip
    await publish(
        stack.kafka_bootstrap, "bulletins.published.v1", good.model_dump_json().encode(), key=b"2092-14"
    )
    [mail] = await mailpit.wait(person, f"Boletín {w}", timeout=120)
    assert f"Beca {w} del boletín" in mail["Text"]
    [letter] = await collect(stack.kafka_bootstrap, "bulletins.published.v1.dlq",
                             lambda v: "sin llamadas" in v.get("payload", ""))  # fmt: skip
    assert letter["original_topic"] == "bulletins.published.v1" and letter["key"] == "2031-13"
