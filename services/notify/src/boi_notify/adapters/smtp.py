"""The mail transport over `aiosmtplib`: a MIME message (text + HTML alternatives) to a real SMTP server
over a few kept-open connections, its answer mapped to the domain's verdict (5xx rejected, 4xx or no answer
deferred). A `Letter` (a digest rendered once for many people) is made into MIME once; each person's copy
is those bytes with their address, links and a new Message-ID in place."""

import time
import uuid
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from html import escape

import aiosmtplib

from boi_notify.domain.mail import TO_MARK, Letter, Mail, MailDeferred, MailRejected, mark, smtp_verdict

# Lines up to RFC 5322's limit: the default (78) folds a long List-Unsubscribe URL into RFC 2047 encoded
# words, which mail clients do not decode back into a URL. aiosmtplib re-flattens a message object with
# the default policy, so the bytes are made here.
POLICY = policy.SMTP.clone(max_line_length=998)
MSGID_MARK = mark("msgid")
IDLE_SECONDS = 30.0
"""A connection unused for longer is closed rather than reused (relays drop idle sessions)."""
TEMPLATES_KEPT = 256


def mime(mail: Mail, sender: str, message_id: str = "") -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or make_msgid(domain=_domain(sender))
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class LetterBytes:
    """MIME bytes of shared renderings, made once each (the costly part: ~2.5 ms an email here), filled
    per person by byte replacement when every value is plain ASCII that HTML escaping leaves alone and every
    mark survived the encoding whole; otherwise the person's mail is made into MIME on its own."""

    def __init__(self, sender: str) -> None:
        self.sender = sender
        self._made: dict[int, tuple[Mail, bytes | None]] = {}

    def __call__(self, letter: Letter) -> bytes:
        values = {TO_MARK: letter.to, **letter.fills, MSGID_MARK: uuid.uuid4().hex}
        data = self._template(letter.template, list(values)) if _plain(values.values()) else None
        if data is None:
            return mime(letter.mail(), self.sender).as_bytes()
        for marker, value in values.items():
            data = data.replace(marker.encode(), value.encode())
        return data

    def _template(self, template: Mail, marks: list[str]) -> bytes | None:
        made = self._made.get(id(template))
        if made is None or made[0] is not template:
            if len(self._made) >= TEMPLATES_KEPT:
                self._made.pop(next(iter(self._made)))
            shared = Mail(TO_MARK, template.subject, template.text, template.html, template.headers)
            message_id = f"<{MSGID_MARK}@{_domain(self.sender)}>"
            data = mime(shared, self.sender, message_id).as_bytes()
            source = "".join([template.subject, template.text, template.html, *template.headers.values()])
            whole = all(
                data.count(m.encode()) == source.count(m) + (m in (TO_MARK, MSGID_MARK)) for m in marks
            )
            made = (template, data if whole else None)
            self._made[id(template)] = made
        return made[1]


class AiosmtplibSender:
    """`MailSender`: up to `pool_size` SMTP sessions kept open and reused (connecting, EHLO and QUIT for
    every email cost more than the email); a session that fails is dropped, never reused."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        timeout_seconds: float = 10.0,
        username: str = "",
        password: str = "",
        start_tls: bool = False,
        pool_size: int = 8,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.timeout, self.start_tls = timeout_seconds, start_tls
        self.username, self.password = username or None, password or None
        self.pool_size, self.envelope_from = pool_size, _address(sender)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._letters = LetterBytes(sender)

    async def send(self, mail: Mail | Letter) -> None:
        data = self._letters(mail) if isinstance(mail, Letter) else mime(mail, self.sender).as_bytes()
        try:
            client = await self._session()
            try:
                await client.sendmail(self.envelope_from, [mail.to], data, timeout=self.timeout)
            except BaseException:
                client.close()
                raise
            self._release(client)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _judged(refused.code, refused.message) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _judged(exc.code, exc.message) from exc
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:  # refused, timeout, drop
            raise MailDeferred(f"{type(exc).__name__}: {exc}"[:300]) from exc

    async def _session(self) -> aiosmtplib.SMTP:
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and time.monotonic() - since < IDLE_SECONDS:
                return client
            client.close()
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            username=self.username,
            password=self.password,
            start_tls=self.start_tls,
        )
        await client.connect()
        return client

    def _release(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self.pool_size and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            client.close()

    async def close(self) -> None:
        """Ends the kept sessions (at shutdown)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


def _plain(values: Iterable[str]) -> bool:
    return all(v.isascii() and v.isprintable() and " " not in v and escape(v) == v for v in values)


def _domain(sender: str) -> str:
    return sender.rsplit("@", 1)[-1].strip("> ")


def _address(sender: str) -> str:
    return parseaddr(sender)[1]


def _judged(code: int, message: str) -> Exception:
    verdict = smtp_verdict(code) or MailDeferred
    if verdict is MailRejected:
        return MailRejected(code, message)
    return MailDeferred(f"SMTP {code}: {message}"[:300])
