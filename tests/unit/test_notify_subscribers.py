"""Pure parts of notify's email side: topics and matching, addresses refused, signed links, es-CO dates and
periods, what a correction says, SMTP verdicts and the rendered email (inlined CSS, UTM, RFC 8058)."""

from datetime import UTC, date, datetime

import pytest

from boi_notify.domain.changes import corrections
from boi_notify.domain.dates import closes, period_bounds, period_key, period_label, previous_period
from boi_notify.domain.mail import Kind, MailDeferred, MailRejected, smtp_verdict
from boi_notify.domain.subscription import InvalidSubscription, Topic, normalize_email
from boi_notify.domain.tokens import Purpose, TokenError, Tokens
from boi_notify.service.emails import Footer, MailRenderer, utm
from boi_shared.events import CallPublished, PublicCall
from boi_shared.taxonomy import CallType, Eligibility

CALL = PublicCall(
    url="https://funder.example/beca?ref=x",
    public_url="https://boi.example/convocatorias/c-1",
    title="Beca de Maestría en Japón <script>",
    summary="Cubre matrícula.",
    call_type=CallType.BECA,
    deadline=date(2027, 2, 15),
    colombia_eligible=Eligibility.SI,
    language="es",
    status="publicada",
)


def test_topic_matches_words_without_accents_and_every_filter() -> None:
    assert Topic.parse("maestria japon", "beca", "si", "es").matches(CALL)
    assert Topic().matches(CALL)
    assert not Topic.parse("doctorado").matches(CALL)
    assert not Topic.parse(call_type="premio").matches(CALL)
    assert not Topic.parse(eligibility="no").matches(CALL)
    assert not Topic.parse(language="en").matches(CALL)
    assert Topic.parse("Maestría", "beca").key() == Topic.parse("maestria", "beca").key()


@pytest.mark.parametrize(
    ("field", "value"), [("call_type", "nope"), ("eligibility", "x"), ("language", "de")]
)
def test_unknown_filters_are_refused(field: str, value: str) -> None:
    with pytest.raises(InvalidSubscription):
        Topic.parse(**{field: value})


def test_addresses_invalid_or_disposable_are_refused_with_a_message() -> None:
    assert normalize_email("  Ana.Perez@Example.ORG ") == "Ana.Perez@example.org"
    for bad in ("", "ana", "ana@", "a b@example.org", "x" * 250 + "@example.org"):
        with pytest.raises(InvalidSubscription, match=r"no es válida|Escribe"):
            normalize_email(bad)
    with pytest.raises(InvalidSubscription, match="correo temporal"):
        normalize_email("alguien@mailinator.com")


def test_links_are_signed_expire_and_name_their_action() -> None:
    tokens = Tokens("secret", {Purpose.CONFIRM: 60, Purpose.UNSUBSCRIBE: 60, Purpose.MANAGE: 60})
    token = tokens.make(Purpose.UNSUBSCRIBE, "s-1")
    assert tokens.read(Purpose.UNSUBSCRIBE, token) == "s-1"
    with pytest.raises(TokenError) as other:
        tokens.read(Purpose.MANAGE, token)  # a valid token for another action
    assert not other.value.expired
    with pytest.raises(TokenError) as tampered:
        tokens.read(Purpose.UNSUBSCRIBE, token[:-2] + "xx")
    assert not tampered.value.expired
    with pytest.raises(TokenError):
        Tokens("other-secret", tokens.max_age).read(Purpose.UNSUBSCRIBE, token)
    old = Tokens("secret", {p: -1 for p in Purpose})  # any token is older than -1 s
    with pytest.raises(TokenError) as expired:
        old.read(Purpose.UNSUBSCRIBE, token)
    assert expired.value.expired


def test_dates_and_periods_in_bogota() -> None:
    assert closes(date(2027, 2, 15)) == "cierra el 15 de febrero de 2027"
    assert closes(None) == "sin fecha de cierre publicada"
    assert period_key("diaria", date(2031, 3, 12)) == "2031-03-12"
    assert period_key("semanal", date(2031, 3, 12)) == "2031-W11"
    start, end = period_bounds("semanal", "2031-W11")
    assert (start.date(), end.date(), str(start.tzinfo)) == (
        date(2031, 3, 10),
        date(2031, 3, 17),
        "America/Bogota",
    )
    assert period_label("diaria", "2031-03-12") == "del 12 de marzo de 2031"
    assert period_label("semanal", "2031-W11") == "del 10 al 16 de marzo de 2031"
    assert period_label("semanal", "2031-W05") == "del 27 de enero al 2 de febrero de 2031"
    assert period_label("semanal", "2030-W01") == "del 31 de diciembre de 2029 al 6 de enero de 2030"
    # 02:00 UTC on the 13th is still the 12th in Bogotá: yesterday is the 11th.
    assert previous_period("diaria", datetime(2031, 3, 13, 2, tzinfo=UTC)) == "2031-03-11"


def test_corrections_say_what_changed_old_to_new() -> None:
    moved = CALL.model_copy(update={"deadline": date(2027, 3, 1), "colombia_eligible": Eligibility.NO})
    event = CallPublished(call_id="c-1", version=2, change="updated", call=moved)
    assert corrections(CALL, event) == [
        ("Fecha de cierre", "cierra el 15 de febrero de 2027", "cierra el 1 de marzo de 2027"),
        ("Elegibilidad para Colombia", "Colombia puede postularse", "Colombia no elegible"),
    ]
    summary_only = CallPublished(
        call_id="c-1", version=2, change="updated", call=CALL.model_copy(update={"summary": "Otro"})
    )
    assert corrections(CALL, summary_only) == []
    withdrawn = CallPublished(call_id="c-1", version=3, change="withdrawn", call=CALL)
    assert corrections(CALL, withdrawn)[0][2].startswith("retirada")
    assert corrections(None, CallPublished(call_id="c-1", version=1, change="published", call=CALL)) == []


def test_smtp_answers() -> None:
    assert smtp_verdict(250) is None
    assert (
        smtp_verdict(550) is MailRejected
        and smtp_verdict(421) is MailDeferred
        and smtp_verdict(451) is MailDeferred
    )


def test_rendered_alert_is_escaped_inlined_tagged_and_unsubscribable() -> None:
    footer = Footer(
        Topic.parse("maestría", "beca"), "inmediata", "https://n.example/m?t=1", "https://n.example/b?t=2"
    )
    mail = MailRenderer("https://n.example/privacidad").calls("ana@example.org", Kind.ALERT, [CALL], footer)
    assert mail.headers == {
        "List-Unsubscribe": "<https://n.example/b?t=2>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<style" not in mail.html and 'style="' in mail.html
    assert "cierra el 15 de febrero de 2027" in mail.text and "Colombia puede postularse" in mail.text
    assert utm(CALL.public_url or "", "alerta") in mail.text
    assert utm("https://x.org/a?utm_source=old&k=1", "resumen") == (
        "https://x.org/a?k=1&utm_source=boi&utm_medium=email&utm_campaign=resumen"
    )
