"""The readiness table and plan (`boi_shared.readiness`): keywords in Spanish and English, start dates
from the deadline, late steps flagged, no dates without a deadline."""

from datetime import date

import pytest

from boi_shared.readiness import LEAD_TIMES, needed_steps, readiness_plan

TODAY = date(2026, 12, 7)


def test_every_step_documents_its_lead_time() -> None:
    keys = [s.key for s in LEAD_TIMES]
    assert len(keys) == len(set(keys))
    for step in LEAD_TIMES:
        assert 0 < step.lead_days <= 120
        assert step.rationale_es.strip() and step.source_notes.strip() and step.keywords


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Certificado de idioma", "language_test"),
        ("Proof of English proficiency (IELTS 6.5 or TOEFL iBT 90)", "language_test"),
        ("Documentos apostillados", "apostille"),
        ("All documents must carry the Hague Apostille", "apostille"),
        ("Traducción oficial al inglés", "official_translation"),
        ("Certified translation of every document", "official_translation"),
        ("Cartas de recomendación", "recommendation_letters"),
        ("Two letters of reference", "recommendation_letters"),
        ("Certificado de notas", "transcripts"),
        ("Official transcripts", "transcripts"),
        ("Pasaporte vigente", "passport"),
        ("A valid PASSPORT", "passport"),
        ("Statement of purpose", "essays"),
    ],
)
def test_detects_steps_in_spanish_and_english(text: str, key: str) -> None:
    assert [s.key for s, _ in needed_steps([text])] == [key]


def test_unrelated_words_need_no_step() -> None:
    assert needed_steps(["Hoja de vida (CV)", "Formulario de solicitud", "diplomado en gestión"]) == []


def test_plan_dates_each_step_from_the_deadline_longest_first() -> None:
    deadline = date(2027, 3, 31)
    plan = readiness_plan(deadline, ["IELTS 6.5", "Título apostillado", "Pasaporte"], TODAY)
    assert [(p.key, p.start_by) for p in plan] == [
        ("language_test", date(2027, 1, 30)),  # 60 days before
        ("passport", date(2027, 2, 14)),  # 45 days before
        ("apostille", date(2027, 2, 14)),
    ]
    assert not any(p.late for p in plan)
    assert plan[0].found_in == "IELTS 6.5"


def test_a_start_day_already_past_is_late_never_feasible() -> None:
    deadline = TODAY.replace(month=12, day=31)  # 24 days ahead
    plan = {p.key: p for p in readiness_plan(deadline, ["TOEFL", "ensayo"], TODAY)}
    assert plan["language_test"].late and plan["language_test"].start_by == date(2026, 11, 1)
    assert not plan["essays"].late and plan["essays"].start_by == date(2026, 12, 10)
    assert (
        readiness_plan(deadline, ["ensayo"], date(2026, 12, 10))[0].late is False
    )  # starting today is on time


def test_without_a_deadline_steps_carry_no_date() -> None:
    plan = readiness_plan(None, ["apostille", "transcripts"], TODAY)
    assert [p.key for p in plan] == ["apostille", "transcripts"]
    assert all(p.start_by is None and not p.late for p in plan)


def test_first_matching_text_is_the_evidence_and_is_bounded() -> None:
    long = "Se exige pasaporte " + "x" * 1000
    plan = readiness_plan(TODAY, ["", "  ", long, "Pasaporte"], TODAY)
    assert (
        len(plan) == 1 and plan[0].found_in.startswith("Se exige pasaporte") and len(plan[0].found_in) == 300
    )
