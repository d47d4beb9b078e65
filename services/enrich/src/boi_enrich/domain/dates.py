"""Date mentions in Spanish, English, French and Portuguese call texts, found on the folded text.

Formats: ``15 de febrero de 2027``, ``15/02/2027``, ``15-feb-2027``, ``22:04:2021``, ``30.08.13``,
``30-Nov-27``, ``February 15, 2027``, ``15 February 2027``, ``Feb. 15th 2027``, ``2027-02-15``,
``2027/02/15`` and the same without a year; "entre el 1 y el 15 de marzo" is a range.
Numeric dates are day-first, except English slash dates, which are month-first only when the text proves it
(a first part above 12) and otherwise ambiguous when both parts could be a month.
"""

import calendar
import re
from dataclasses import dataclass, replace

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "enero january janvier janeiro jan ene janv",
        "febrero february fevrier fevereiro feb fev fevr",
        "marzo march mars marco mar",
        "abril april avril apr abr avr",
        "mayo may mai maio",
        "junio june juin junho jun",
        "julio july juillet julho jul juil",
        "agosto august aout aug ago",
        "septiembre setiembre september septembre setembro sep sept set",
        "octubre october octobre outubro oct out",
        "noviembre november novembre novembro nov",
        "diciembre december decembre dezembro dec dic dez",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number
# Month words that are also ordinary words: only read as months with a year or after "de"/"of".
_RISKY = frozenset({"may", "mar", "set", "ago", "out", "dez", "jan"})

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|er|eme|º|°|ª)?"
_YEAR_TAIL = r"(?:\s*,?\s*(?:del?\s+|-|/|\.)?\s*(?P<y>\d{4})(?!\d)|(?<=[a-z])[-/](?P<y2>\d{2})(?![\d:]))?"

_DAY_MONTH = re.compile(
    rf"(?<![\d.,/:])(?P<d>\d{{1,2}}){_ORD}(?P<of>\s+(?:de|of)\s+|[\s.\-/]+)(?P<m>{_MONTH})(?![a-z])\.?"
    + _YEAR_TAIL
)
_MONTH_DAY = re.compile(
    rf"(?<![a-z])(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?!\d){_ORD}(?![:.]\d)" + _YEAR_TAIL
)
_ISO = re.compile(r"(?<![\d/.])(?P<y>(?:19|20)\d\d)(?P<s>[-/])(?P<a>\d{1,2})(?P=s)(?P<b>\d{1,2})(?!\d)")
_NUMERIC = re.compile(
    r"(?<![\d/.:\-])(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\d]|[/.\-]\d)"
)
_COLON = re.compile(r"(?<![\d:])(?P<a>\d{1,2}):(?P<b>\d{1,2}):(?P<y>(?:19|20)\d\d)(?![\d:])")
_WEEKDAY_NUMBER = {
    name: i
    for i, names in enumerate(
        (
            "lunes monday",
            "martes tuesday",
            "miercoles wednesday",
            "jueves thursday",
            "viernes friday",
            "sabado saturday",
            "domingo sunday",
        )
    )
    for name in names.split()
}
_WEEKDAY = re.compile(r"\b(?P<w>" + "|".join(_WEEKDAY_NUMBER) + r")\b,?\s*(?:el\s+|the\s+)?$")
_RANGE = re.compile(r"\s*(?:-|al|a|hasta(?: el)?|to|until|till|through|thru|au)\s*(?:el\s+|the\s+)?")
_LIST = re.compile(r"\s*(?:,|y|and|et|e)\s*(?:el\s+|the\s+)?")
_AND = re.compile(r"\s*(?:y|and|et|e)\s*(?:el\s+|the\s+|le\s+|o\s+)?")
_BETWEEN = re.compile(r"\b(?:entre|between|entre le)\s+(?:el\s+|the\s+|le\s+|o\s+)?$")  # "entre el 1 y el 15"


@dataclass(frozen=True)
class DateMention:
    """A date written in the text; `year` is None when the text leaves it out at that place."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    ambiguous: bool = False
    range_start: bool = False
    range_end: bool = False
    weekday: int | None = None  # Monday = 0, when the text names the day of the week right before


def _valid(day: int, month: int, year: int | None) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:
        return day <= (29 if month == 2 else calendar.monthrange(2001, month)[1])
    return 1900 <= year <= 2100 and day <= calendar.monthrange(year, month)[1]


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value if len(text) == 4 else (2000 + value if value < 70 else 1900 + value)


def find_dates(low: str, raw: str, english: bool = False) -> list[DateMention]:
    """Every date mention in `low` (the folded text; `raw` is only read for capitals), in order."""
    found: list[DateMention] = []
    for m in _DAY_MONTH.finditer(low):
        two_digits = m["y2"] if m["of"] in ("-", "/") and low[m.end("m")] == m["of"] else None
        name, year = m["m"], _year(m["y"] or two_digits)  # "30-Nov-20", not "15 de marzo-20 horas"
        if name in _RISKY and year is None and "de" not in m["of"] and "of" not in m["of"]:
            continue
        day = int(m["d"])
        if _valid(day, MONTHS[name], year):
            found.append(DateMention(m.start(), m.end(), day, MONTHS[name], year))
    for m in _MONTH_DAY.finditer(low):
        name, year = m["m"], _year(m["y"])
        if name in _RISKY and (year is None and not raw[m.start()].isupper()):
            continue
        day = int(m["d"])
        if _valid(day, MONTHS[name], year):
            found.append(DateMention(m.start(), m.end(), day, MONTHS[name], year))
    for m in _ISO.finditer(low):
        y, mo, d = int(m["y"]), int(m["a"]), int(m["b"])
        if _valid(d, mo, y):
            found.append(DateMention(m.start(), m.end(), d, mo, y))
    numeric = [(m, m["s"]) for m in _NUMERIC.finditer(low)] + [(m, ":") for m in _COLON.finditer(low)]
    month_first = english and _text_is_month_first(numeric)
    for m, sep in numeric:
        a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
        day, month, ambiguous = a, b, False
        if english and sep == "/":
            if a <= 12 < b or (month_first and b <= 12):
                day, month = b, a
            ambiguous = a <= 12 and b <= 12 and a != b and not month_first and not _text_is_day_first(numeric)
        if _valid(day, month, year):
            found.append(DateMention(m.start(), m.end(), day, month, year, ambiguous=ambiguous))
    return _link([_with_weekday(m, low) for m in _without_overlaps(found)], low)


def _with_weekday(m: DateMention, low: str) -> DateMention:
    """ "el viernes 28 de mayo", "Friday, May 28": the weekday can fix a year the text leaves out."""
    w = _WEEKDAY.search(low, max(0, m.start - 14), m.start)
    return replace(m, weekday=_WEEKDAY_NUMBER[w["w"]]) if w else m


def _text_is_month_first(numeric: list[tuple[re.Match[str], str]]) -> bool:
    return any(int(m["a"]) <= 12 < int(m["b"]) for m, sep in numeric if sep == "/")


def _text_is_day_first(numeric: list[tuple[re.Match[str], str]]) -> bool:
    return any(int(m["b"]) <= 12 < int(m["a"]) for m, sep in numeric if sep == "/")


def _without_overlaps(found: list[DateMention]) -> list[DateMention]:
    kept: list[DateMention] = []
    for d in sorted(found, key=lambda d: (d.start, -(d.end - d.start))):
        if kept and d.start < kept[-1].end:
            continue
        kept.append(d)
    return kept


def _link(mentions: list[DateMention], low: str) -> list[DateMention]:
    """A date without a year right before a dated one (``del 7 de febrero al 2 de marzo de 2026``) takes
    its year; a range's two ends are marked."""
    out = list(mentions)
    for i in range(len(out) - 2, -1, -1):
        first, second = out[i], out[i + 1]
        between = low[first.end : second.start]
        after_between = _BETWEEN.search(low, max(0, first.start - 12), first.start) is not None
        is_range = bool(_RANGE.fullmatch(between)) or (after_between and bool(_AND.fullmatch(between)))
        if not is_range and _LIST.fullmatch(between) is None:
            continue
        year = first.year
        if year is None and second.year is not None:
            year = second.year if (first.month, first.day) <= (second.month, second.day) else second.year - 1
        out[i] = replace(first, year=year, range_start=first.range_start or is_range)
        if is_range:
            out[i + 1] = replace(second, range_end=True)
    return out
