"""The mail transport over `aiosmtplib`: a MIME message (text + HTML alternatives) to a real SMTP server,
its answer mapped to the domain's verdict (5xx rejected, 4xx or no answer deferred)."""

from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib

from boi_notify.domain.mail import Mail, MailDeferred, MailRejected, smtp_verdict

# Lines up to RFC 5322's limit: the default (78) folds a long List-Unsubscribe URL into RFC 2047 encoded
# words, which mail clients do not decode back into a URL. aiosmtplib re-flattens a message object with
# the default policy, so the bytes are made here.
POLICY = policy.SMTP.clone(max_line_length=998)


def mime(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> "))
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


class AiosmtplibSender:
    """`MailSender`: one SMTP session per mail (simple and robust; the server is local or a relay)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        timeout_seconds: float = 10.0,
        username: str = "",
        password: str = "",
        start_tls: bool = False,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.timeout, self.start_tls = timeout_seconds, start_tls
        self.username, self.password = username or None, password or None

    async def send(self, mail: Mail) -> None:
        try:
            await aiosmtplib.send(
                mime(mail, self.sender).as_bytes(),
                sender=_address(self.sender),
                recipients=[mail.to],
                hostname=self.host,
                port=self.port,
                timeout=self.timeout,
                username=self.username,
                password=self.password,
                start_tls=self.start_tls,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0]
            raise _judged(refused.code, refused.message) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _judged(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # refused connection, timeout, disconnect
            raise MailDeferred(f"{type(exc).__name__}: {exc}"[:300]) from exc


def _address(sender: str) -> str:
    return parseaddr(sender)[1]


def _judged(code: int, message: str) -> Exception:
    verdict = smtp_verdict(code) or MailDeferred
    if verdict is MailRejected:
        return MailRejected(code, message)
    return MailDeferred(f"SMTP {code}: {message}"[:300])
