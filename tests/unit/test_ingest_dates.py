"""Dates as sources state them: RFC 822, RFC 3339, Spanish/English/French formats, day-first numbers."""

from datetime import UTC, date, datetime

import pytest

from boi_ingest.domain.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 10 Jun 2025 14:00:00 -0500", datetime(2025, 6, 10, 19, 0, tzinfo=UTC)),  # RFC 822
        ("Tue, 10 Jun 2025 14:00:00 GMT", datetime(2025, 6, 10, 14, 0, tzinfo=UTC)),
        ("2027-02-15T10:00:00Z", datetime(2027, 2, 15, 10, 0, tzinfo=UTC)),  # RFC 3339
        ("2027-02-15T10:00:00-05:00", datetime(2027, 2, 15, 15, 0, tzinfo=UTC)),
        ("2021-07-13T00:00:00.123456789-04:00", datetime(2021, 7, 13, 4, 0, 0, 123456, tzinfo=UTC)),
        ("2027-02-15", datetime(2027, 2, 15, tzinfo=UTC)),
        ("15 de febrero de 2027", datetime(2027, 2, 15, tzinfo=UTC)),
        ("1º de Septiembre del 2026", datetime(2026, 9, 1, tzinfo=UTC)),
        ("February 15, 2027", datetime(2027, 2, 15, tzinfo=UTC)),
        ("15 February 2027", datetime(2027, 2, 15, tzinfo=UTC)),
        ("Sept. 3, 2026", datetime(2026, 9, 3, tzinfo=UTC)),
        ("1er mars 2027", datetime(2027, 3, 1, tzinfo=UTC)),
        ("15/02/2027", datetime(2027, 2, 15, tzinfo=UTC)),
    ],
)
def test_stated_formats(text: str, expected: datetime) -> None:
    assert parse_date(text, "es") == expected


def test_numeric_dates_are_day_first_except_in_english() -> None:
    assert parse_date("03/04/2027", "es") == datetime(2027, 4, 3, tzinfo=UTC)
    assert parse_date("03/04/2027") == datetime(2027, 4, 3, tzinfo=UTC)
    assert parse_date("03/04/2027", "en") == datetime(2027, 3, 4, tzinfo=UTC)
    assert parse_date("15/02/2027", "en") == datetime(2027, 2, 15, tzinfo=UTC)  # cannot be month first


@pytest.mark.parametrize("text", ["", "  ", "mañana", "15 de febrero", "31/02/2027", "2027", "99/99/9999"])
def test_not_dates(text: str) -> None:
    assert parse_date(text, "es") is None


def test_dates_in_running_text() -> None:
    text = "Abre el 2 de enero de 2027 y cierra el 15/02/2027. Results: March 3rd, 2027 (or 2027-03-10)."
    assert [d for d, _ in find_dates(text, "es")] == [
        date(2027, 1, 2),
        date(2027, 2, 15),
        date(2027, 3, 3),
        date(2027, 3, 10),
    ]
    assert find_dates("el 15 de febrero, sin año", "es") == []
