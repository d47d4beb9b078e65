"""Another entity's brand on the pages the catalog does not serve: notify's subscription pages (form, privacy
notice, confirmation and unsubscribe pages, a bad link) and the From: of its emails, and metrics' public
statistics — each started as a process on the real stack with the other entity's `BOI_BRAND_*` settings."""

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_catalog_branding import LOGO, OTHER
from tests.support.mail import Mailpit, links
from tests.support.metrics import skip_to_end
from tests.support.notify_mail import notify_process, unique_email
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

pytestmark = pytest.mark.stack
SHOWN = (
    OTHER["BOI_BRAND_NAME"],
    OTHER["BOI_BRAND_TAGLINE"],
    OTHER["BOI_BRAND_ENTITY"],
    OTHER["BOI_BRAND_CONTACT_EMAIL"],
    OTHER["BOI_BRAND_PRIVACY_CONTROLLER"],
)


@pytest.fixture(scope="module")
def logo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("brand") / "logo.svg"
    path.write_bytes(LOGO)
    return path


@pytest.fixture(scope="module")
def notify(stack: StackEndpoints, logo: Path) -> Iterator[ServiceProcess]:
    database = f"notify_brand_{uuid.uuid4().hex[:8]}"
    svc = notify_process(stack, database, BOI_BRAND_LOGO_PATH=str(logo), **OTHER).start()
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
async def metrics(stack: StackEndpoints, logo: Path) -> AsyncIterator[ServiceProcess]:
    env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": f"metrics_brand_{uuid.uuid4().hex[:8]}",
        "BOI_BRAND_LOGO_PATH": str(logo),
        **OTHER,
    }
    await skip_to_end(stack.kafka_bootstrap, "metrics")
    svc = ServiceProcess("metrics", env).start()
    yield svc
    svc.stop()


def _branded(html: str, logo_src: str, where: str) -> None:
    for value in SHOWN:
        assert value in html, (where, value)
    assert f"· {OTHER['BOI_BRAND_NAME']}</title>" in html, where
    assert f'src="{logo_src}"' in html, where
    assert "Boletín de Oferta Internacional" not in html, where  # nothing of the default brand left


async def test_notify_pages_and_emails_carry_the_other_entity(
    notify: ServiceProcess, stack: StackEndpoints
) -> None:
    base = f"{notify.url}/suscripcion"
    for path in ("", "/privacidad", "/baja?t=alterado", "/confirmar?t=alterado"):
        _branded(httpx.get(base + path, timeout=20).text, f"{base}/marca/logo", path or "/")
    assert "#7a1f5c" in httpx.get(f"{base}/estilo.css", timeout=10).text
    served = httpx.get(f"{base}/marca/logo", timeout=10)
    assert served.content == LOGO and "sandbox" in served.headers["content-security-policy"]

    email = unique_email("marca")
    form = {"email": email, "q": "becas", "frecuencia": "semanal", "acepto": "si"}
    assert httpx.post(base, data=form, timeout=20).status_code == 200
    [confirmation] = await Mailpit(stack.mailpit_url).wait(email, "Confirma tu suscripción")
    assert confirmation["Subject"] == f"Confirma tu suscripción a {OTHER['BOI_BRAND_NAME']}"
    assert confirmation["From"]["Name"] == OTHER["BOI_BRAND_NAME"]
    page = httpx.get(links(confirmation["Text"], "confirmar")[0], timeout=20).text
    _branded(page, f"{base}/marca/logo", "confirmation page")
    assert f"que {OTHER['BOI_BRAND_ENTITY']} publica en {OTHER['BOI_BRAND_NAME']}" in page  # the consent


def test_metrics_public_statistics_carry_the_other_entity(metrics: ServiceProcess) -> None:
    _branded(httpx.get(f"{metrics.url}/estadisticas", timeout=30).text, "/marca/logo", "/estadisticas")
    css = httpx.get(f"{metrics.url}/marca.css", timeout=10).text
    assert "#7a1f5c" in css and "#1f7a3d" in css
    assert httpx.get(f"{metrics.url}/marca/logo", timeout=10).content == LOGO
