"""Dates as sources state them: RFC 822, RFC 3339/ISO 8601 and common Spanish, English, French and
Portuguese formats ("15 de febrero de 2027", "February 15, 2027", "15/02/2027").

Numeric dates are read day first (Spanish and most of the world) except in English text, where month first
is tried first (US portals); a reading that cannot be a date falls back to the other order. A date without a
year is never completed here: nothing invents a deadline.
"""

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from typing import Literal, overload

MONTHS = {
    # es
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
    "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    # en
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # fr
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12,
    # pt
    "janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9,
    "outubro": 10, "novembro": 11, "dezembro": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATES = re.compile(
    rf"(?P<iso>\b(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}})\b)"
    rf"|(?P<num>\b(?P<n1>\d{{1,2}})[/.-](?P<n2>\d{{1,2}})[/.-](?P<ny>\d{{4}})\b)"
    rf"|(?P<dmy>\b(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er|º|°|o)?\s+(?:de\s+|of\s+)?(?P<dm>{_MONTH})\.?,?"
    rf"\s+(?:de\s+|del\s+)?(?P<dy>\d{{4}})\b)"
    rf"|(?P<mdy>\b(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>\d{{4}})\b)",
    re.IGNORECASE,
)
_FRACTION = re.compile(r"(\.\d{6})\d+")
_YEARS = re.compile(r"(?<!\d)\d{4}(?!\d)")
_BEFORE_YEAR = 40  # "30 de septiembre del " is the longest way to get from a date's start to its year


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if 1900 <= year <= 2200 else None
    except ValueError:
        return None


def _numeric(first: int, second: int, year: int, language: str | None) -> date | None:
    orders = ((second, first), (first, second)) if language == "en" else ((first, second), (second, first))
    for day, month in orders:
        if (found := _safe(year, month, day)) is not None:
            return found
    return None


def _from_match(m: re.Match[str], language: str | None) -> date | None:
    if m["iso"]:
        return _safe(int(m["iy"]), int(m["im"]), int(m["id"]))
    if m["num"]:
        return _numeric(int(m["n1"]), int(m["n2"]), int(m["ny"]), language)
    if m["dmy"]:
        return _safe(int(m["dy"]), MONTHS[m["dm"].lower()], int(m["dd"]))
    return _safe(int(m["my"]), MONTHS[m["mm"].lower()], int(m["md"]))


@overload
def find_dates(text: str, language: str | None = None) -> list[tuple[date, str]]: ...


@overload
def find_dates(text: str, language: str | None, *, spans: Literal[True]) -> list[tuple[date, int, int]]: ...


def find_dates(
    text: str, language: str | None = None, *, spans: bool = False
) -> list[tuple[date, str]] | list[tuple[date, int, int]]:
    """Every complete date stated in `text`, in order, with the words that state it (or their span)."""
    matches = list(_matches(text))
    if spans:
        return [(v, m.start(), m.end()) for m in matches if (v := _from_match(m, language))]
    return [(v, m.group(0)) for m in matches if (v := _from_match(m, language))]


def _matches(text: str) -> Iterator[re.Match[str]]:
    """Date matches, looked for only around four-digit years: every complete date has one, and the
    month-name alternation is slow to try at every position of a long text."""
    last_end = 0
    for year in _YEARS.finditer(text):
        if year.start() < last_end:
            continue
        for m in _DATES.finditer(text, max(last_end, year.start() - _BEFORE_YEAR), year.end() + 6):
            if m.start() <= year.start() < m.end():
                last_end = m.end()
                yield m
                break


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_date(value: str, language: str | None = None) -> datetime | None:
    """A date stated on its own (a feed or API field) in UTC, or None if it is not one of the formats.

    A date without a time is midnight UTC; a naive time is taken as UTC.
    """
    text = value.strip()
    if not text:
        return None
    try:
        return _aware(datetime.fromisoformat(_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))))
    except ValueError:
        pass
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    m = _DATES.fullmatch(text.rstrip("."))
    if m is not None and (day := _from_match(m, language)) is not None:
        return datetime.combine(day, time(), tzinfo=UTC)
    return None
