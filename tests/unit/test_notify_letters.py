"""A digest rendered once and filled per person (`Letter`): each copy carries that person's address,
links and RFC 8058 headers, a Message-ID of its own, and reads exactly like the email rendered for that
person alone; values that byte replacement cannot carry safely fall back to a MIME message of their own."""

from email import message_from_bytes, policy
from email.message import EmailMessage

from boi_notify.adapters.smtp import LetterBytes, mime
from boi_notify.domain.mail import TO_MARK, Kind, Letter, mark
from boi_notify.domain.subscription import Topic
from boi_notify.service.emails import Footer, MailRenderer
from tests.unit.test_notify_subscribers import CALL

SENDER = "Boletín <boletin@example.org>"
MANAGE, UNSUBSCRIBE = mark("manage"), mark("unsubscribe")


def _template() -> Letter:
    footer = Footer(Topic.parse("maestría", "beca"), "diaria", MANAGE, UNSUBSCRIBE)
    renderer = MailRenderer("https://n.example/privacidad")
    template = renderer.calls(TO_MARK, Kind.DIGEST, [CALL, CALL], footer, "2031-06-11")
    return Letter(template, "", {})


def _letter(to: str, n: int, base: Letter | None = None) -> Letter:
    template = (base or _template()).template
    fills = {MANAGE: f"https://n.example/m?t=manage-{n}", UNSUBSCRIBE: f"https://n.example/b?t=tok.{n}_x"}
    return Letter(template, to, fills)


def _parsed(data: bytes) -> EmailMessage:
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def test_each_copy_reads_like_the_email_rendered_for_that_person_alone() -> None:
    base = _template()
    make = LetterBytes(SENDER)
    copies = [_parsed(make(_letter(f"lector{n}@example.org", n, base))) for n in range(3)]
    for n, copy in enumerate(copies):
        alone = _parsed(mime(_letter(f"lector{n}@example.org", n, base).mail(), SENDER).as_bytes())
        assert copy["To"] == f"lector{n}@example.org"
        assert copy["List-Unsubscribe"] == f"<https://n.example/b?t=tok.{n}_x>"
        assert copy["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert copy["Subject"] == alone["Subject"]
        assert _bodies(copy) == _bodies(alone)
        text, html = _bodies(copy)
        assert f"https://n.example/m?t=manage-{n}" in text and f"https://n.example/m?t=manage-{n}" in html
        assert "BOIMARK" not in copy.as_string()
    assert len({c["Message-ID"] for c in copies}) == 3


def test_values_unsafe_for_byte_replacement_get_their_own_mime_message() -> None:
    base = _template()
    make = LetterBytes(SENDER)
    unicode_to = _parsed(make(_letter("josé@ejemplo.org", 1, base)))
    assert "josé@ejemplo.org" in str(unicode_to["To"])
    odd = Letter(base.template, "ana@example.org", {MANAGE: "https://n.example/m?a=1&b=2", UNSUBSCRIBE: "u"})
    _, html = _bodies(_parsed(make(odd)))
    assert "https://n.example/m?a=1&amp;b=2" in html
    assert "BOIMARK" not in html
