"""Years a text fixes for its year-less dates: the date a news article carries at its head (a dateline,
"Bogotá, 14 de abril de 2025."), and the opening date of the same sentence ("abrió el 1 de noviembre de 2026
y cierra el 15 de marzo": the closing date follows the opening within a year)."""

import re
from datetime import date

from boi_enrich.domain.date_roles import Cue, Role
from boi_enrich.domain.dates import DateMention
from boi_enrich.domain.text import Doc

_HEAD_LINES = 8  # a dateline sits near the top of an article
# A place and a comma before the date, or nothing; a full stop, a dash or the end of the line after it
_BEFORE = re.compile(
    r"^[\W_]*(?:[a-z][a-z .'-]{1,40},\s*)?(?:(?:lunes|martes|miercoles|jueves|viernes|sabado"
    r"|domingo|monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s*)?$"
)
_AFTER = re.compile(r"^\s*(?:[.\-|(]|$)")


def dateline(
    doc: Doc, mentions: list[DateMention], roles: list[tuple[Role | None, Cue | None]]
) -> date | None:
    """The date of a dateline: a dated mention without a role that opens one of the first lines."""
    for m, (role, _) in zip(mentions, roles, strict=True):
        li = doc.line_index(m.start)
        if li >= _HEAD_LINES:
            break
        if role is not None or m.year is None or m.range_start or m.range_end:
            continue
        s, e = doc.lines[li]
        if _BEFORE.match(doc.low[s : m.start]) and _AFTER.match(doc.low[m.end : e]):
            try:
                return date(m.year, m.month, m.day)
            except ValueError:
                return None
    return None


def opening_year(
    doc: Doc, index: int, mentions: list[DateMention], roles: list[tuple[Role | None, Cue | None]]
) -> int | None:
    """For the year-less closing date `mentions[index]`, the year that puts it within the year after a dated
    opening date earlier in its sentence."""
    m = mentions[index]
    start, _ = doc.sentence_span(m.start)
    for j in range(index - 1, -1, -1):
        other = mentions[j]
        if other.start < start:
            break
        if roles[j][0] == "open" and other.year is not None:
            later = (m.month, m.day) >= (other.month, other.day)
            return other.year if later else other.year + 1
    return None
