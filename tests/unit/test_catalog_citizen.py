"""Pure parts of what citizens decide with: facet parameters and filters, facet links, the call page's
evidence and readiness timeline, and citizen reports (clean, add, resolve, kept by a new AI version)."""

from datetime import UTC, date, datetime

import pytest

from boi_catalog.domain.call import build_catalog_call
from boi_catalog.domain.lifecycle import TransitionError
from boi_catalog.domain.reports import (
    KEPT_REPORTS,
    REPORT_REASON,
    ReportError,
    add_report,
    clean_report,
    resolve_reports,
)
from boi_catalog.web.call_page import call_details
from boi_catalog.web.facets import facet_groups, filter_choices
from boi_catalog.web.query import meili_filter, parse
from tests.support.catalog_calls import catalog_call
from tests.support.catalog_site import enriched

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("4", 4), ("17", 17), (13, 13), ("0", 0), ("18", 0), ("04", 0), ("²", 0), ("4 OR 1", 0), ("", 0)],
)
def test_ods_parameter_accepts_only_goals_1_to_17(raw: str | int, expected: int) -> None:
    assert parse(ods=raw).ods == expected


def test_facet_filters_are_validated_and_quoted() -> None:
    p = parse(sector=' salud "x"  OR status = 1 ', ods="4", audience="jovenes", modality="virtual")
    assert meili_filter(p)[1:] == [
        'sectors = "salud \\"x\\" OR status = 1"',
        "ods = 4",
        'audience = "jovenes"',
        'modality = "virtual"',
    ]
    assert parse(audience="nadie", modality="a distancia", sector="x" * 500).as_query() == {
        "sector": "x" * 80
    }
    assert p.as_query() == {
        "sector": 'salud "x" OR status = 1',
        "ods": "4",
        "audience": "jovenes",
        "modality": "virtual",
    }


def test_facet_links_apply_one_value_and_keep_the_others() -> None:
    p = parse("beca", ods="4", offset=40)
    groups = facet_groups({"ods": {"4": 2, "13": 5}, "sectors": {"salud": 1}, "status": {"x": 1}}, p)
    assert [g["name"] for g in groups] == ["sectors", "ods"]  # only the site's facets, in its order
    ods = groups[1]["options"]
    assert [(o["label"], o["count"], o["selected"]) for o in ods] == [
        ("ODS 13 · Acción por el clima", 5, False),
        ("ODS 4 · Educación de calidad", 2, True),
    ]
    assert ods[0]["href"] == "?q=beca&ods=13"  # the page is reset, the words kept
    assert groups[0]["options"][0]["href"] == "?q=beca&ods=4&sector=salud"
    choices = filter_choices({"sectors": {"salud": 1}}, parse(sector="energía"))
    assert choices["sector"] == [("energía", "Energía"), ("salud", "Salud")] and len(choices["ods"]) == 17


def test_call_page_evidence_documents_and_timeline() -> None:
    call = catalog_call(
        "c1",
        deadline="2027-03-31",
        text="Requisitos: TOEFL 90. Documentos apostillados.\nPasaporte vigente.",
        enrichment={
            "required_documents": ["Certificado de idioma"],
            "evidence": {"deadline": {"sentence": "Cierre: 31 de marzo.", "confidence": 0.9}},
        },
    )
    details = call_details(call, date(2026, 12, 7))
    assert details["documents"] == ["Certificado de idioma"]
    assert (
        details["evidence"]["deadline"] == "Cierre: 31 de marzo."
        and details["evidence"]["eligibility"] is None
    )
    steps = details["readiness"]["steps"]
    assert [(s["label"].split(" ")[0], s["start_iso"]) for s in steps] == [
        ("Reservar", "2027-01-30"),
        ("Tramitar", "2027-02-14"),
        ("Apostillar", "2027-02-14"),
    ]
    assert steps[0]["found_in"] == "Certificado de idioma"  # the documents list is the first evidence
    assert steps[2]["found_in"] == "Documentos apostillados."


def test_an_edited_deadline_hides_the_ai_sentence_and_a_closed_call_gets_no_dates() -> None:
    call = catalog_call(
        "c2",
        deadline="2026-12-01",
        locked_fields={"deadline": "2026-12-01"},
        enrichment={"required_documents": ["IELTS"], "evidence": {"deadline": {"sentence": "old"}}},
    )
    details = call_details(call, date(2026, 12, 7))
    assert details["evidence"]["deadline"] is None and details["evidence"]["deadline_checked"]
    assert not details["readiness"]["dated"] and details["readiness"]["steps"][0]["start"] is None


def test_clean_report_refuses_long_notes_and_empty_reports() -> None:
    assert clean_report("cobro", " me cobran\x00\x1b \r\n") == ("cobro", "me cobran")
    assert clean_report("inventado", "nota") == ("otro", "nota")
    assert clean_report("fecha", "a" * 1000)[1] == "a" * 1000
    with pytest.raises(ReportError, match="máximo es 1000"):
        clean_report("otro", "a" * 1001)
    with pytest.raises(ReportError):
        clean_report("inventado", "   ")


def test_a_report_queues_the_call_without_changing_it_and_a_curator_resolves_it() -> None:
    call = catalog_call("c3", status="cierra_pronto", revision=4)
    reported = add_report(call, "cobro", "nota", NOW)
    assert reported.status == "cierra_pronto" and reported.title == call.title  # still public, unchanged
    assert reported.reported and reported.revision == 5 and reported.review_reasons == [REPORT_REASON]
    assert add_report(reported, "otro", "", NOW).review_reasons == [REPORT_REASON]  # listed once
    many = reported
    for i in range(KEPT_REPORTS + 5):
        many = add_report(many, "otro", str(i), NOW)
    assert len(many.citizen_reports) == KEPT_REPORTS and many.citizen_reports[-1]["note"] == str(
        KEPT_REPORTS + 4
    )
    resolved = resolve_reports(reported, "carlos", "ok", NOW)
    assert not resolved.reported and resolved.review_reasons == [] and resolved.citizen_reports
    assert resolved.history[-1]["action"] == "resolve_reports"
    with pytest.raises(TransitionError):
        resolve_reports(resolved, "carlos", "", NOW)
    with pytest.raises(TransitionError):
        add_report(catalog_call("c4", status="en_revision"), "otro", "x", NOW)


def test_a_new_ai_version_keeps_an_open_report() -> None:
    event = enriched("Beca")
    first = build_catalog_call(event, None, NOW)
    reported = add_report(first, "fecha", "mal", NOW)
    newer = build_catalog_call(event.model_copy(update={"version": 2}), reported, NOW)
    assert newer.reported and REPORT_REASON in newer.review_reasons and newer.citizen_reports
