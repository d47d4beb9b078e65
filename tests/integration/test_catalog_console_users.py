"""Console users of a real deployment: `boi console user add` stores a PBKDF2 hash in MongoDB, the running
catalog lets that user sign in at once, and `remove` takes the right away; `boi run`'s demo users are
hashed by the catalog's own command and their passwords only printed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from boi_catalog.web.auth import verify_password
from boi_devtools.runner import credentials_text, demo_users
from tests.support.catalog_site import Site, catalog_site, word
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack


def boi(stack: StackEndpoints, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "boi"), *args],
        input=stdin,
        env={**os.environ, **stack.service_env()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sign_in(site: Site, name: str, password: str) -> int:
    with httpx.Client(base_url=site.url, timeout=60) as client:
        form = client.get("/consola/entrar").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)
        assert csrf
        return client.post(
            "/consola/entrar", data={"csrf": csrf[1], "usuario": name, "clave": password}
        ).status_code


def test_user_added_at_run_time_signs_in_and_removed_cannot(stack: StackEndpoints) -> None:
    name, password = f"cur-{word()}", "una-clave-larga-de-prueba"
    with catalog_site(stack) as site:
        assert sign_in(site, name, password) == 401
        added = boi(stack, "console", "user", "add", name, "--role", "curator", stdin=f"{password}\n")
        assert added.returncode == 0, added.stderr
        assert password not in added.stdout + added.stderr
        assert name in boi(stack, "console", "user", "list").stdout
        assert sign_in(site, name, password) == 303
        assert sign_in(site, name, "otra-clave-cualquiera") == 401
        assert boi(stack, "console", "user", "remove", name).returncode == 0
        assert sign_in(site, name, password) == 401
    short = boi(stack, "console", "user", "add", name, stdin="corta\n")
    assert short.returncode == 1 and "12 characters" in short.stderr
    bad = boi(stack, "console", "user", "add", "a:b", stdin=f"{password}\n")
    assert bad.returncode != 0


def test_demo_users_are_hashed_and_printed_once() -> None:
    entries, shown = demo_users()
    text = credentials_text(shown)
    for (name, role, password), entry in zip(shown, entries.split(","), strict=True):
        entry_name, entry_role, encoded = entry.split(":", 2)
        assert (entry_name, entry_role) == (name, role)
        assert password not in entry and verify_password(password, encoded)
        assert f"usuario: {name}  contraseña: {password}" in text
    assert {role for _, role, _ in shown} == {"admin", "curator"}
    assert demo_users()[1][0][2] != shown[0][2]  # new passwords on every run


async def test_a_user_added_at_run_time_opens_notify_s_and_metrics_console_pages(
    stack: StackEndpoints,
) -> None:
    """notify and metrics know only `BOI_CONSOLE_USERS`; they ask the catalog about anyone else who holds a
    cookie it signed. A curator cannot act as an admin there, and a forged cookie is never forwarded."""
    from boi_catalog.web.auth import Sessions, User
    from tests.support.metrics import skip_to_end
    from tests.support.notify_mail import notify_process
    from tests.support.services import ServiceProcess

    secret, name = os.urandom(16).hex(), f"cur-{word()}"
    with catalog_site(stack, BOI_SESSION_SECRET=secret) as site:
        assert (
            boi(
                stack, "console", "user", "add", name, "--role", "curator", stdin="clave-larga-1234\n"
            ).returncode
            == 0
        )
        shared = {"BOI_SESSION_SECRET": secret, "BOI_CATALOG_URL": site.url}
        notify = notify_process(stack, f"notify_users_{word()}", **shared).start()
        await skip_to_end(stack.kafka_bootstrap, "metrics")
        metrics = ServiceProcess("metrics", {**stack.service_env(), **shared}).start()
        try:
            signer = Sessions("", secret, secure=False)
            own = {"boi_console": signer.cookie(User(name, "curator", "csrf-1"))}
            as_admin = {"boi_console": signer.cookie(User(name, "admin", "csrf-1"))}
            forged = {
                "boi_console": Sessions("", "otra-clave", secure=False).cookie(User(name, "curator", "c"))
            }
            assert httpx.get(f"{site.url}/consola/sesion", cookies=own).json() == {"u": name, "r": "curator"}
            assert (
                httpx.get(f"{notify.url}/consola/suscripciones", cookies=own, timeout=20).status_code == 200
            )
            assert httpx.get(f"{metrics.url}/consola/metricas", cookies=own, timeout=30).status_code == 200
            for cookies in (as_admin, forged, {}):
                assert httpx.get(f"{notify.url}/consola/suscripciones", cookies=cookies).status_code == 401
                assert httpx.get(f"{metrics.url}/consola/metricas", cookies=cookies).status_code == 401
            assert httpx.get(f"{notify.url}/consola/socios", cookies=own).status_code == 403  # admins only
            assert boi(stack, "console", "user", "remove", name).returncode == 0
            assert sign_in(site, name, "clave-larga-1234") == 401  # re-reads the users at once
            assert httpx.get(f"{site.url}/consola/sesion", cookies=own).status_code == 401
        finally:
            notify.stop()
            metrics.stop()
