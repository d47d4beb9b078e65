"""Pure parts of notify's reach: topics on sector and ODS, reminder offsets a person chooses, the console's
counts by topic and frequency (no addresses), and the bulletin email in the entity's brand."""

import pytest
from pydantic import ValidationError

from boi_notify.domain.census import census
from boi_notify.domain.subscription import InvalidSubscription, Topic, reminder_days
from boi_notify.service.emails import Footer, MailRenderer
from boi_shared.branding import Brand
from boi_shared.events import BulletinCall, BulletinPublished
from tests.unit.test_notify_subscribers import CALL


def test_sector_and_ods_topics_match_only_calls_with_them() -> None:
    call = CALL.model_copy(update={"sectors": ["Cultura", "educación"], "ods": [4, 10]})
    assert Topic.parse(sector=" Educación ").matches(call)
    assert Topic.parse(ods="4", call_type="beca").matches(call)
    assert not Topic.parse(sector="salud").matches(call)
    assert not Topic.parse(ods="13").matches(call)
    assert not Topic.parse(ods="4").matches(CALL)  # a call without ODS
    assert Topic.parse(sector="cultura", ods="10").describe() == (
        "sector: cultura · ODS 10: Reducción de las desigualdades"
    )
    # Topics saved before sector and ODS existed keep their key, so their subscription id too.
    assert Topic.parse("maestría", "beca").key() == "maestria|beca||"
    assert Topic.parse(sector="cultura").key() != Topic.parse().key()
    assert Topic.from_doc({"q": "x", "call_type": "beca"}) == Topic(q="x", call_type="beca")


@pytest.mark.parametrize(
    ("field", "value"),
    [("ods", "18"), ("ods", "0"), ("ods", "4; drop"), ("sector", "x" * 81), ("sector", "<b>")],
)
def test_bad_sector_or_ods_is_refused_with_a_message(field: str, value: str) -> None:
    with pytest.raises(InvalidSubscription, match="no"):
        Topic.parse(**{field: value})


def test_reminder_offsets_only_from_the_choices() -> None:
    assert reminder_days(["1", "14", "7", "7"]) == (14, 7, 1)
    assert reminder_days([]) == ()
    for bad in (["2"], ["-1"], ["siete"], ["100000000000"]):
        with pytest.raises(InvalidSubscription):
            reminder_days(bad)


def test_census_counts_confirmed_by_frequency_and_pending_per_topic() -> None:
    beca, all_calls = Topic(call_type="beca"), Topic()
    result = census(
        [(beca, "semanal", True), (beca, "semanal", True), (beca, "diaria", True), (beca, "inmediata", False),
         (all_calls, "diaria", True)],
        people=4,
        suppressed=1,
    )  # fmt: skip
    first, second = result.rows
    assert first.topic == "Beca" and first.confirmed == {"inmediata": 0, "diaria": 1, "semanal": 2}
    assert first.pending == 1 and first.total == 3
    assert second.topic == "Todas las convocatorias" and second.total == 1
    assert result.by_frequency == {"inmediata": 0, "diaria": 2, "semanal": 2}
    assert (result.pending, result.people, result.suppressed) == (1, 4, 1)


def test_the_bulletin_email_carries_its_calls_in_order_the_links_and_the_brand() -> None:
    brand = Brand(
        name="Medellín Global",
        tagline="Oportunidades de Medellín",
        entity="Agencia X",
        primary="#7a1f5c",
        accent="#1f7a3d",
        contact_email="c@x.example",
        privacy_controller="Agencia X, NIT 1",
        logo=b"<svg/>",
        logo_type="image/svg+xml",
        type_labels={"beca": "Becas y ayudas"},
    )
    calls = [CALL.model_copy(update={"title": f"Beca número {n}"}) for n in range(5)]
    event = BulletinPublished(
        week="2031-20",
        title="Lo mejor de la semana",
        intro="Cinco oportunidades.",
        public_url="https://boi.example/boletin/2031-20",
        pdf_url="https://boi.example/boletin/2031-20.pdf",
        calls=[BulletinCall(call_id=f"c-{n}", call=c) for n, c in enumerate(calls)],
    )
    footer = Footer(Topic(), "semanal", "https://n.example/m?t=1", "https://n.example/b?t=2")
    renderer = MailRenderer("https://n.example/privacidad", brand, "https://boi.example")
    mail = renderer.bulletin("ana@example.org", event, footer)
    assert mail.subject == "Medellín Global: Lo mejor de la semana"
    assert mail.headers["List-Unsubscribe"] == "<https://n.example/b?t=2>"
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    positions = [mail.text.index(f"Beca número {n}") for n in range(5)]
    assert positions == sorted(positions)
    assert (
        "https://boi.example/boletin/2031-20?utm_source=boi&utm_medium=email&utm_campaign=boletin"
        in mail.text
    )
    assert "Becas y ayudas" in mail.text and "Agencia X, NIT 1" in mail.text and "c@x.example" in mail.text
    assert (
        "#7a1f5c" in mail.html
        and "#1f7a3d" in mail.html
        and 'src="https://boi.example/marca/logo"' in mail.html
    )
    assert "Boletín de Oferta Internacional" not in mail.html + mail.text


def test_the_bulletin_event_is_refused_without_calls_or_with_a_bad_week() -> None:
    base = {"title": "t", "public_url": "https://boi.example/boletin/2031-20"}
    with pytest.raises(ValidationError):
        BulletinPublished(week="2031-20", calls=[], **base)
    with pytest.raises(ValidationError):
        BulletinPublished(week="2031-W20", calls=[BulletinCall(call_id="c-1", call=CALL)], **base)
