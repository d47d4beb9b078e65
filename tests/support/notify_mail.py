"""Helpers of the notify email tests: a notify process on the real stack, published calls, the public
subscription form driven over HTTP as a browser would."""

import uuid
from datetime import date, datetime
from typing import Any

import httpx

from boi_shared.events import CallPublished, PublicCall
from boi_shared.ids import call_id_for
from boi_shared.taxonomy import CallType, Eligibility
from tests.support.kafka import publish
from tests.support.mail import Mailpit, links
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

TOPIC = "calls.published.v1"


def notify_process(
    stack: StackEndpoints, database: str, smtp_port: int | None = None, **env: str
) -> ServiceProcess:
    svc = ServiceProcess("notify", {})
    svc.env = {
        **stack.service_env(),
        "BOI_MONGO_DATABASE": database,
        "BOI_SUBSCRIPTION_SECRET": "test-subscription-secret-" + database,
        "BOI_NOTIFY_PUBLIC_URL": svc.url,
        "BOI_SCHEDULER_INTERVAL_SECONDS": "0",
        "BOI_SUBSCRIBE_RATE_PER_MINUTE": "0",
        "BOI_RETRY_MAX_SECONDS": "3",
        **({"BOI_SMTP_PORT": str(smtp_port)} if smtp_port else {}),
        **env,
    }
    return svc


def call_event(
    title: str,
    *,
    call_type: CallType = CallType.BECA,
    deadline: date | None = date(2027, 2, 15),
    eligible: Eligibility = Eligibility.SI,
    call_id: str | None = None,
    version: int = 1,
    change: str = "published",
    status: str = "publicada",
    occurred_at: datetime | None = None,
) -> CallPublished:
    url = f"https://example.org/convocatorias/{uuid.uuid4()}"
    cid = call_id or call_id_for(url)
    extra: dict[str, Any] = {"occurred_at": occurred_at} if occurred_at else {}
    return CallPublished(
        call_id=cid,
        version=version,
        change=change,
        call=PublicCall(
            url=url,
            public_url=f"http://127.0.0.1:8000/convocatorias/{cid}",
            title=title,
            summary=f"{title}: cubre matrícula, manutención y pasajes.",
            call_type=call_type,
            deadline=deadline,
            colombia_eligible=eligible,
            language="es",
            status=status,
        ),
        **extra,
    )


async def publish_call(stack: StackEndpoints, event: CallPublished, key: str | None = None) -> None:
    """`key` other than the call id puts unrelated calls in one partition, so they are handled in order."""
    await publish(
        stack.kafka_bootstrap, TOPIC, event.model_dump_json().encode(), key=(key or event.call_id).encode()
    )


def subscribe(notify_url: str, email: str, frequency: str = "inmediata", **topic: str) -> httpx.Response:
    form = {"email": email, "frecuencia": frequency, "acepto": "si", **topic}
    return httpx.post(f"{notify_url}/suscripcion", data=form, timeout=20)


async def subscribed(
    notify_url: str, mailpit: Mailpit, email: str, frequency: str = "inmediata", **topic: str
) -> str:
    """Subscribes and confirms like a person: form, confirmation email, the page's button; the link."""
    answer = subscribe(notify_url, email, frequency, **topic)
    assert answer.status_code == 200 and "Revisa tu correo" in answer.text
    [confirmation] = await mailpit.wait(email, "Confirma tu suscripción")
    [link] = links(confirmation["Text"], "confirmar")
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "Confirmar mi suscripción" in page.text  # a GET confirms nothing
    done = httpx.post(link, timeout=10)
    assert done.status_code == 200 and "Suscripción confirmada" in done.text
    return link


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"
