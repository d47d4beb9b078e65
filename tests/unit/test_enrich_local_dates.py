"""Date mentions of the offline provider: Spanish and English formats, numeric order, ranges. Texts written
for these tests."""

import pytest

from boi_enrich.domain.dates import DateMention, find_dates
from boi_enrich.domain.text import Doc


def dates(text: str, english: bool = False) -> list[tuple[int | None, int, int]]:
    doc = Doc(text)
    return [(m.year, m.month, m.day) for m in find_dates(doc.low, doc.raw, english)]


def mentions(text: str, english: bool = False) -> list[DateMention]:
    doc = Doc(text)
    return find_dates(doc.low, doc.raw, english)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cierre: 15 de febrero de 2027.", (2027, 2, 15)),
        ("cierre el 15 de febrero del 2027", (2027, 2, 15)),
        ("Fecha límite: 15/02/2027", (2027, 2, 15)),
        ("Fecha límite: 15-feb-2027", (2027, 2, 15)),
        ("Fecha límite: 15 feb. 2027", (2027, 2, 15)),
        ("Fecha de cierre: 22:04:2027", (2027, 4, 22)),
        ("Plazo: 1º de marzo de 2027", (2027, 3, 1)),
        ("hasta el viernes 31 de mayo de 2019", (2019, 5, 31)),
        ("Cierre: 5 de setiembre de 2027", (2027, 9, 5)),
        ("Deadline: February 15, 2027", (2027, 2, 15)),
        ("Deadline: 15 February 2027", (2027, 2, 15)),
        ("Deadline: Feb. 15th 2027", (2027, 2, 15)),
        ("Deadline: 2027-02-15", (2027, 2, 15)),
        ("APPLICATIONS CLOSE 5 NOVEMBER 2027", (2027, 11, 5)),
        ("Application deadline 30.08.13.", (2013, 8, 30)),
        ("Date limite : 1er mars 2027", (2027, 3, 1)),
        ("Deadline: 30-Nov-27", (2027, 11, 30)),
        ("Deadline: 30/nov/27", (2027, 11, 30)),
    ],
)
def test_formats(text: str, expected: tuple[int, int, int]) -> None:
    assert dates(text, english=expected and "Deadline" in text) == [expected]


def test_a_date_without_year_keeps_year_none() -> None:
    assert dates("la convocatoria cierra el 31 de mayo a las 4:00 p.m.") == [(None, 5, 31)]
    assert dates("the deadline is January 15", english=True) == [(None, 1, 15)]


def test_a_range_gives_its_year_to_the_first_end() -> None:
    found = mentions("Plazo: del 7 de febrero al 2 de marzo de 2026")
    assert [(m.year, m.month, m.day) for m in found] == [(2026, 2, 7), (2026, 3, 2)]
    assert found[0].range_start and found[1].range_end
    across_new_year = mentions("from 15 December to 31 January 2027", english=True)
    assert [m.year for m in across_new_year] == [2026, 2027]


def test_spanish_numeric_dates_are_day_first() -> None:
    assert dates("Cierre: 03/04/2027") == [(2027, 4, 3)]


def test_english_slash_dates_are_ambiguous_unless_the_text_proves_the_order() -> None:
    (only,) = mentions("Deadline: 03/04/2027", english=True)
    assert only.ambiguous
    assert dates("Opens 12/15/2026. Deadline: 03/04/2027", english=True) == [(2026, 12, 15), (2027, 3, 4)]
    assert dates("Opens 15/12/2026. Deadline: 03/04/2027", english=True) == [(2026, 12, 15), (2027, 4, 3)]
    assert not mentions("Deadline: 25/04/2027", english=True)[0].ambiguous


@pytest.mark.parametrize(
    "text",
    [
        "a las 12:00:00 horas",
        "Ley 38/2003, artículo 1.2.1",
        "presupuesto 14.020.211",
        "Students aged 18 may apply",
        "during March 2027",
        "más de 170 países en 2025",
        "Apply for Grant2021 now",
        "31 de febrero de 2027",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert dates(text, english=True) == []


def test_timestamps_and_iso_dates_inside_words() -> None:
    assert dates("Apply for Grant2021-04-12T09:14:57-04:00", english=True) == [(2021, 4, 12)]


def test_two_digits_after_a_spaced_month_are_no_year() -> None:
    assert dates("Cierre: 15 de marzo-20 horas") == [(None, 3, 15)]
