"""Deadline and funder candidates: kept when the source states them, never invented."""

from datetime import date
from pathlib import Path

from boi_ingest.domain.candidates import deadline_candidates, funder_candidates


def test_deadline_sentences_give_dated_candidates() -> None:
    text = (
        "La convocatoria abre el 1 de diciembre de 2026. La fecha límite es el 15 de febrero de 2027 a las "
        "17:00. Resultados en abril. Deadline: March 3, 2027. Applications close on 10/03/2027; "
        "plazo sin fecha concreta."
    )
    found = [(c.date, c.sentence) for c in deadline_candidates(text, "es")]
    assert found == [
        (date(2027, 2, 15), "La fecha límite es el 15 de febrero de 2027 a las 17:00."),
        (date(2027, 3, 3), "Deadline: March 3, 2027."),
        (date(2027, 3, 10), "Applications close on 10/03/2027;"),
    ]


def test_no_deadline_word_or_no_year_gives_nothing() -> None:
    assert deadline_candidates("Se publicó el 15 de febrero de 2027.", "es") == []
    assert deadline_candidates("Cierra el 15 de febrero.", "es") == []


def test_funders_as_stated() -> None:
    text = (
        "Beca financiada por el Gobierno de Japón para estudios de posgrado. Offered by the British Council, "
        "with partners. Funder: Fundación Carolina. Financiado por el gobierno de Japón."
    )
    assert funder_candidates(text) == ["Gobierno de Japón", "British Council", "Fundación Carolina"]
    assert funder_candidates("Una beca para estudiar en el exterior.") == []


def test_real_call_texts(shared_data: Path) -> None:
    text = (shared_data / "calls" / "007.txt").read_text(encoding="utf-8")
    [candidate] = deadline_candidates(text, "es")
    assert candidate.date == date(2026, 1, 30)
    assert "fecha límite" in candidate.sentence
