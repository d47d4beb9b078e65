"""Reading delivered mail in tests: Mailpit's REST API, and an aiosmtpd server that answers what a test
tells it to (550, 451) for chosen recipients."""

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from boi_devtools.stack.process import free_port
from tests.support.kafka import eventually

LINK = re.compile(r"https?://\S+/suscripcion/(?:confirmar|baja|gestionar)\?t=[\w.\-]+")


def links(text: str, action: str) -> list[str]:
    return [link for link in LINK.findall(text) if f"/suscripcion/{action}?" in link]


class Mailpit:
    """Messages to one address through `GET /api/v1/search` and `GET /api/v1/message/{id}`."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def summaries(self, to: str) -> list[dict[str, Any]]:
        query: dict[str, str | int] = {"query": f'to:"{to}"', "limit": 500}
        found = httpx.get(f"{self.url}/api/v1/search", params=query, timeout=10)
        found.raise_for_status()
        return list(found.json()["messages"])

    def message(self, message_id: str) -> dict[str, Any]:
        full = httpx.get(f"{self.url}/api/v1/message/{message_id}", timeout=10).json()
        full["Headers"] = httpx.get(f"{self.url}/api/v1/message/{message_id}/headers", timeout=10).json()
        return dict(full)

    async def wait(
        self, to: str, subject_part: str, count: int = 1, timeout: float = 60
    ) -> list[dict[str, Any]]:
        """The full messages to `to` whose subject contains `subject_part`, once there are `count`."""

        def check() -> list[dict[str, Any]] | None:
            found = [m for m in self.summaries(to) if subject_part in m["Subject"]]
            return [self.message(m["ID"]) for m in found] if len(found) >= count else None

        result: list[dict[str, Any]] = await eventually(check, timeout=timeout)
        return result


@dataclass
class Rule:
    code: int
    message: str
    times: int | None = None  # None: always


@dataclass
class SmtpHandler:
    """aiosmtpd handler: a recipient with a rule is answered with it; the rest is accepted and kept."""

    rules: dict[str, Rule] = field(default_factory=dict)
    received: list[EmailMessage] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        with self.lock:
            self.attempts[address] = self.attempts.get(address, 0) + 1
            rule = self.rules.get(address)
            if rule is not None and rule.times is not None:
                rule.times -= 1
                if rule.times < 0:
                    del self.rules[address]
                    rule = None
        if rule is not None:
            return f"{rule.code} {rule.message}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        with self.lock:
            self.received.append(parsed)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.received if address in str(m["To"])]


@dataclass
class SmtpServer:
    handler: SmtpHandler
    port: int
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(SmtpHandler(), free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def body(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""
