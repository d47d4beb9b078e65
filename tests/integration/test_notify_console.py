"""notify's console page on the real stack (FerretDB, Mailpit), behind the cookie the catalog's own session
code signs: counts by topic and frequency for curators without a single address; an admin looks up one
address, sees its subscriptions and deletes all its data; no session, a curator, or a missing CSRF token
get nothing of the kind."""

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from boi_catalog.web.auth import Sessions, User
from tests.support.catalog_site import users_env
from tests.support.mail import Mailpit
from tests.support.notify_mail import notify_process, subscribed, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

DATABASE = f"notify_console_{uuid.uuid4().hex[:8]}"
SECRET = uuid.uuid4().hex
USERS = users_env()  # ana: admin, carlos: curator
PAGE = "/consola/suscripciones"


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints) -> Iterator[ServiceProcess]:
    svc = notify_process(stack, DATABASE, BOI_CONSOLE_USERS=USERS, BOI_SESSION_SECRET=SECRET).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def db(stack: StackEndpoints) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    yield client[DATABASE]
    await client.close()


def _client(notify: ServiceProcess, name: str = "", role: str = "") -> httpx.Client:
    cookies = {}
    if name:
        cookies["boi_console"] = Sessions(USERS, SECRET, secure=False).cookie(
            User(name, role, f"csrf-{name}")
        )
    return httpx.Client(base_url=notify.url, cookies=cookies, timeout=10)


async def test_counts_for_curators_and_a_data_request_for_admins(
    stack: StackEndpoints, notify: ServiceProcess, db: AsyncDatabase[dict[str, Any]]
) -> None:
    mailpit = Mailpit(stack.mailpit_url)
    word = uuid.uuid4().hex[:8]
    ana, luis = unique_email("ana"), unique_email("luis")
    await subscribed(notify.url, mailpit, ana, "semanal", q=word, type="beca")
    await subscribed(notify.url, mailpit, luis, "semanal", q=word, type="beca")
    await subscribed(notify.url, mailpit, luis, "diaria", type="premio")

    nobody = _client(notify).get(PAGE)
    assert nobody.status_code == 401 and "Inicia sesión" in nobody.text and word not in nobody.text

    curator = _client(notify, "carlos", "curator")
    page = curator.get(PAGE)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    row = next(line for line in page.text.splitlines() if f"«{word}»" in line)
    assert "<td>0</td><td>0</td><td>2</td>" in row  # inmediata 0, diaria 0, semanal 2
    assert "@" not in page.text.replace("@example", "")  # no address, not even the domain
    assert ana not in page.text and luis not in page.text and "buscar" not in page.text
    refused = curator.post(f"{PAGE}/buscar", data={"email": ana, "csrf": "csrf-carlos"})
    assert refused.status_code == 403 and ana not in refused.text

    admin = _client(notify, "ana", "admin")
    assert admin.post(f"{PAGE}/buscar", data={"email": luis}).status_code == 403  # no CSRF token
    # The domain's case does not matter (it is stored lower-cased); the local part is kept as typed.
    found = admin.post(
        f"{PAGE}/buscar", data={"email": luis.replace("@example.org", "@EXAMPLE.org"), "csrf": "csrf-ana"}
    )
    assert found.status_code == 200 and luis in found.text
    assert found.text.count("· confirmada ·") == 2 and "Premio" in found.text
    bad = admin.post(f"{PAGE}/buscar", data={"email": "no-es-correo", "csrf": "csrf-ana"})
    assert bad.status_code == 422 and "no es válida" in bad.text
    person = await db["subscribers"].find_one({"email": luis})
    assert person is not None
    gone = admin.post(f"{PAGE}/borrar", data={"subscriber": person["_id"], "csrf": "csrf-ana"})
    assert gone.status_code == 200 and "Borramos la dirección" in gone.text
    for name in ("subscribers", "subscriptions"):
        async for doc in db[name].find({}):
            assert luis not in json.dumps(doc, default=str) and doc.get("subscriber_id") != person["_id"]
    again = admin.post(f"{PAGE}/buscar", data={"email": luis, "csrf": "csrf-ana"})
    assert "No guardamos ningún dato" in again.text
    after = curator.get(PAGE).text
    row = next(line for line in after.splitlines() if f"«{word}»" in line)
    assert "<td>0</td><td>0</td><td>1</td>" in row
