"""The `local` provider as the service uses it: its interface, determinism, evidence for every extracted
field and the review reasons. Texts written for these tests."""

from datetime import UTC, date, datetime

from boi_enrich.adapters.local import LocalProvider
from boi_enrich.domain.local import enrich_local
from boi_shared.events import Enrichment, RawCall, SourceRef
from boi_shared.taxonomy import TAXONOMY_VERSION, CallType, Eligibility

SPANISH = (
    "La Fundación Horizonte ofrece becas de maestría en España para profesionales colombianos.\n"
    "Dotación: hasta un máximo de USD 20.000 por beneficiario.\n"
    "Requisitos: hoja de vida, carta de motivación y certificado de idioma (IELTS o TOEFL).\n"
    "Convocatoria abierta desde el 1 de febrero de 2027 hasta el 15 de marzo de 2027 (hora de Colombia).\n"
    "Los resultados se publicarán el 30 de abril de 2027."
)
ENGLISH = (
    "The Ocean Trust offers fellowships for early-career marine scientists.\n"
    "Applicants can be from anywhere in the world.\n"
    "Applications close on 15 March 2027 at 17:00 GMT."
)


def call(title: str, text: str, language: str | None, published: datetime | None = None) -> RawCall:
    url = "https://example.org/call"
    return RawCall(
        url=url,
        title=title,
        text=text,
        language=language,
        published_at=published,
        content_hash="0" * 64,
        sources=[SourceRef(source_id="t", source_type="manual", item_url=url)],
    )


def test_interface() -> None:
    got = enrich_local(call("Becas de maestría en España 2027", SPANISH, "es"))
    assert isinstance(got, Enrichment)
    assert (got.provider, got.taxonomy_version) == ("local", TAXONOMY_VERSION)


def test_spanish_call() -> None:
    got = enrich_local(call("Becas de maestría en España 2027", SPANISH, "es"))
    assert got.call_type == CallType.BECA
    assert got.deadline == date(2027, 3, 15) and got.deadline_tz == "GMT-5"
    assert got.opening_date == date(2027, 2, 1)
    assert got.colombia_eligible == Eligibility.SI
    assert got.funder == "Fundación Horizonte"
    assert (got.amount, got.currency) == (20000, "USD")
    assert {"Hoja de vida (CV)", "Carta de motivación", "Certificado de idioma"} <= set(
        got.required_documents
    )
    assert got.language == "es"
    assert got.title_es == "Becas de maestría en España 2027"
    assert got.summary_es.startswith("Beca de Fundación Horizonte, con cierre el 15 de marzo de 2027.")
    assert "resumen no traducido" not in got.review_reasons


def test_every_extracted_field_has_evidence() -> None:
    for got in (
        enrich_local(call("Becas de maestría en España 2027", SPANISH, "es")),
        enrich_local(call("Ocean fellowships 2027", ENGLISH, "en")),
    ):
        extracted = {
            "call_type": got.call_type,
            "deadline": got.deadline,
            "deadline_tz": got.deadline_tz,
            "opening_date": got.opening_date,
            "amount": got.amount,
            "currency": got.currency,
            "funder": got.funder,
            "countries": got.countries,
            "sectors": got.sectors,
            "ods": got.ods,
            "audience": got.audience,
            "modality": got.modality,
            "required_documents": got.required_documents,
            "colombia_eligible": got.colombia_eligible
            if got.colombia_eligible != Eligibility.SIN_DATO
            else None,
        }
        for field, value in extracted.items():
            if value:
                assert field in got.evidence, field
                assert got.evidence[field].sentence
                assert 0 < got.evidence[field].confidence <= 1


def test_english_call_is_flagged_as_not_translated() -> None:
    got = enrich_local(call("Ocean fellowships 2027", ENGLISH, "en"))
    assert got.call_type == CallType.EMPLEO
    assert got.colombia_eligible == Eligibility.SI
    assert got.deadline == date(2027, 3, 15) and got.deadline_tz == "GMT"
    assert got.funder == "Ocean Trust"
    assert got.needs_review and "resumen no traducido" in got.review_reasons
    assert got.summary_es.startswith("Empleo o fellowship de Ocean Trust, con cierre el 15 de marzo de 2027.")


def test_language_is_detected_when_not_given() -> None:
    assert enrich_local(call("Ocean fellowships", ENGLISH, None)).language == "en"


def test_the_publication_date_resolves_year_less_deadlines() -> None:
    text = "Convocatoria de becas para jóvenes colombianos. La convocatoria cierra el 31 de mayo."
    unresolved = enrich_local(call("Becas 2027", text, "es"))
    assert unresolved.deadline is None and "fecha de cierre sin año" in unresolved.review_reasons
    published = datetime(2027, 3, 1, tzinfo=UTC)
    assert enrich_local(call("Becas", text, "es", published)).deadline == date(2027, 5, 31)
    assert enrich_local(call("Becas", text, "es"), reference=date(2027, 3, 1)).deadline == date(2027, 5, 31)


def test_missing_key_fields_send_the_call_to_review() -> None:
    got = enrich_local(call("Noticias", "Hoy se reunió el comité de la red.", "es"))
    assert got.needs_review
    assert {
        "tipo de convocatoria no identificado",
        "sin fecha de cierre en el texto",
        "elegibilidad para Colombia sin dato",
    } <= set(got.review_reasons)


def test_deterministic() -> None:
    one = enrich_local(call("Becas de maestría", SPANISH, "es"))
    two = enrich_local(call("Becas de maestría", SPANISH, "es"))
    assert one == two


async def test_the_provider_port_serves_the_rules_for_free() -> None:
    raw = call("Becas de maestría en España 2027", SPANISH, "es", datetime(2027, 3, 1, tzinfo=UTC))
    provider = LocalProvider()
    result = await provider.enrich(raw)
    assert (provider.name, provider.model, provider.paid) == ("local", "rules", False)
    assert (result.provider, result.model, result.usage.requests, result.cached) == (
        "local",
        "rules",
        0,
        False,
    )
    assert result.enrichment == enrich_local(raw)


def test_empty_text() -> None:
    got = enrich_local(call("", "", None))
    assert got.needs_review and got.call_type is None and got.deadline is None
