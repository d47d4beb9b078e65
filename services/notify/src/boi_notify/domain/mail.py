"""What one email is, how an SMTP answer is judged, and the idempotency keys of the email deliveries."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from html import escape


class Kind(StrEnum):
    """Why an email is sent; part of the delivery key."""

    CONFIRMATION = "confirmacion"
    ALERT = "alerta"
    DIGEST = "resumen"
    CORRECTION = "correccion"
    REMINDER = "recordatorio"
    MANAGE_LINK = "gestion"
    BULLETIN = "boletin"


@dataclass(frozen=True)
class Mail:
    """One rendered email to one address."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


TO_MARK = "boi-to-0a7e@placeholder.invalid"
"""Stand-in address of a shared rendering (a digest rendered once for everyone with the same calls)."""


def mark(name: str) -> str:
    """A stand-in for a per-person value in a shared rendering: letters and digits only, so no encoder
    (HTML escaping, header folding, MIME) changes or splits it."""
    return f"BOIMARK{name.upper()}0A7E"


@dataclass(frozen=True)
class Letter:
    """One email of a batch: a `Mail` rendered once for many people, with `mark`s where each person's
    values go (their address is `TO_MARK`), and this person's values."""

    template: Mail
    to: str
    fills: Mapping[str, str]
    """mark → value (links); HTML-escaped in the HTML part."""

    def mail(self) -> Mail:
        """The template with this person's values in place (what the email says, whatever the transport)."""
        t = self.template

        def fill(text: str, html: bool = False) -> str:
            for marker, value in self.fills.items():
                text = text.replace(marker, escape(value) if html else value)
            return text

        headers = {k: fill(v) for k, v in t.headers.items()}
        return Mail(self.to, fill(t.subject), fill(t.text), fill(t.html, html=True), headers)


class MailRejected(Exception):
    """The SMTP server refused the address for good (5xx): the address is suppressed."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"SMTP {code}: {reason}"[:300])
        self.code = code


class MailDeferred(Exception):
    """No answer or a temporary refusal (4xx): try again later; nothing is lost. Transient for the Kafka
    error policy, so an alert waits (the partition with it) until the server takes mail again."""


def delivery_key(subscriber_id: str, call_id: str, version: int, kind: Kind) -> str:
    """One (subscriber, call, version, kind) is delivered at most once."""
    return f"{subscriber_id}:{call_id}:{version}:{kind.value}"


def reminder_key(subscriber_id: str, call_id: str, days_before: int) -> str:
    """One reminder per (subscriber, call, days before the deadline)."""
    return f"{subscriber_id}:{call_id}:{days_before}d:{Kind.REMINDER.value}"


def digest_key(subscription_id: str, period: str) -> str:
    """One digest per subscription and period (`2027-02-15`, `2027-W07`)."""
    return f"{subscription_id}:{period}:{Kind.DIGEST.value}"


def bulletin_key(subscriber_id: str, week: str) -> str:
    """One weekly bulletin per person, however often it is approved or its event redelivered."""
    return f"{subscriber_id}:{week}:{Kind.BULLETIN.value}"


def smtp_verdict(code: int) -> type[MailRejected] | type[MailDeferred] | None:
    """None when accepted (2xx/3xx); 5xx rejected for good; anything else deferred."""
    if code < 400:
        return None
    return MailRejected if 500 <= code < 600 else MailDeferred
