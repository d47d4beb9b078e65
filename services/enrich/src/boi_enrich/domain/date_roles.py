"""What each date of a call is: a closing date, an opening date or something else (results, publication,
an event, a law). The role comes from the nearest cue before the date in its clause, or for a date that
opens its clause the first cue after it ("15 de marzo: cierre"); a date without one takes it from its label
(``Plazo de solicitud`` on the line above, a header ending in ``:``, or the line after a date standing alone,
as in timelines)."""

import re
from dataclasses import dataclass
from typing import Literal

from boi_enrich.domain.date_cues import (
    APPLICATION,
    APPLY_CONTEXT,
    CALL_WINDOW,
    CUE,
    NOT_APPLICATION,
    OFFER,
    PERIOD_END,
)
from boi_enrich.domain.dates import DateMention
from boi_enrich.domain.text import Doc, word_count

Role = Literal["close", "open", "other"]

_CLAUSE_END = re.compile(r"[.;!?](?=\s+[^\sa-záéíóúñü]|\s*$)")  # on the raw text: "p.m. del" goes on
_WEEKDAYS = re.compile(
    r"\b(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|del|from|el|the|on)\b|[-•*·|(\[]"
)
_TIME = re.compile(r"\d{1,2}[:.h]\d{2}\s*(?:a\.?\s?m\.?|p\.?\s?m\.?|horas|hrs?|h)?|\([^)]*\)")
_WINDOW = 240


@dataclass(frozen=True)
class Cue:
    """The cue that gave a date its role and the text the cue was read from (quoted as evidence)."""

    role: Role
    start: int
    end: int
    source: str
    direct: bool


def _cue(doc: Doc, start: int, end: int, direct: bool, last: bool = True) -> Cue | None:
    """The nearest cue before a date (`last`) or the first one of a caption line."""
    found = None
    for match in CUE.finditer(doc.low, start, end):
        found = match
        if not last:
            break
    if found is None:
        return None
    closing = found["close"] or found["weak"] or found["verb"]
    role: Role = "close" if closing or found["window"] else "open" if found["open"] else "other"
    source = doc.low[start:end]
    if role in ("close", "open") and NOT_APPLICATION.search(
        CALL_WINDOW.sub(" ", source)
    ):  # "implementation runs from … to …"
        role = "other"
    if found["verb"] and role == "close" and not doc.low.startswith(":", found.end()):  # "Closes: …" labels
        # "cierra", "closes", "no later than": a deadline when what ends is the call, not the programme
        s, e = doc.sentence_span(end if direct else start)
        if not (APPLY_CONTEXT.search(doc.low, s, e) or OFFER.search(doc.low, s, e)):
            role = "other"
    if found["weak"] and role == "close":
        # "hasta", "until": a closing date only in a sentence about applying (not "valid until", "runs until")
        i = doc.sentence_index(end if direct else start)
        s, e = (
            doc.sentences[max(0, i - 1)][0],
            doc.sentences[i][1],
        )  # with the sentence before ("¿Hasta cuándo?")
        if not (APPLY_CONTEXT.search(doc.low, s, e) or APPLY_CONTEXT.search(source)):
            role = "other"
    return Cue(role, start, end, source, direct)


class _Lines:
    """Per line: does it hold a date, is it only a date (a timeline entry)."""

    def __init__(self, doc: Doc, mentions: list[DateMention]) -> None:
        self.doc = doc
        self.dated: dict[int, list[DateMention]] = {}
        for m in mentions:
            self.dated.setdefault(doc.line_index(m.start), []).append(m)

    def date_only(self, li: int) -> bool:
        if li not in self.dated:
            return False
        s, e = self.doc.lines[li]
        text, cut = self.doc.low, []
        last = s
        for m in self.dated[li]:
            cut.append(text[last : m.start])
            last = m.end
        cut.append(text[last:e])
        rest = _WEEKDAYS.sub(" ", _TIME.sub(" ", " ".join(cut)))
        return word_count(rest) <= 3

    def tail(self, li: int) -> tuple[int, int]:
        """The part of a line after its last date."""
        s, e = self.doc.lines[li]
        return (self.dated[li][-1].end if li in self.dated else s, e)

    def header(self, li: int) -> Cue | None:
        """A line ending in ':' above `li`, over a run of short dated lines (a list under a header)."""
        j = li - 1
        while j >= 0 and j in self.dated and word_count(self.doc.line_text(j)) <= 15:
            j -= 1
        if j < 0 or not self.doc.line_text(j).rstrip().endswith(":"):
            return None
        return _cue(self.doc, *self.tail(j), direct=False)

    def label(self, li: int) -> Cue | None:
        """A short line without a date right above (``- Plazo de solicitud``), unless that line is the
        caption of a date-only line above it (a timeline: date, caption, date, caption). Label, date, label,
        date (``Opening Date`` / date / ``Deadline`` / date) reads downwards: the run starts with a label."""
        j = li - 1
        if j < 0 or j in self.dated or word_count(self.doc.line_text(j)) > 8:
            return None
        if j - 1 >= 0 and self.date_only(j - 1) and not self._labelled(j - 1):
            return None
        return _cue(self.doc, *self.doc.lines[j], direct=False)

    def _labelled(self, li: int) -> bool:
        """The date-only line `li` sits under a short label with a role cue, itself not a caption."""
        j = li - 1
        if j < 0 or j in self.dated or word_count(self.doc.line_text(j)) > 8:
            return False
        if j - 1 >= 0 and self.date_only(j - 1):
            return False
        return _cue(self.doc, *self.doc.lines[j], direct=False) is not None

    def caption(self, li: int) -> Cue | None:
        """For a date standing alone on its line, the short line right after it (timelines)."""
        j = li + 1
        if not self.date_only(li) or j >= len(self.doc.lines) or j in self.dated:
            return None
        if word_count(self.doc.line_text(j)) > 12:
            return None
        return _cue(self.doc, *self.doc.lines[j], direct=False, last=False)


def assign_roles(doc: Doc, mentions: list[DateMention]) -> list[tuple[Role | None, Cue | None]]:
    """The role of every mention, with the cue it came from (None: no cue, an unknown date)."""
    lines = _Lines(doc, mentions)
    out: list[tuple[Role | None, Cue | None]] = []
    for i, m in enumerate(mentions):
        li = doc.line_index(m.start)
        ls = doc.lines[li][0]
        start = max(ls, m.start - _WINDOW)
        for c in _CLAUSE_END.finditer(doc.raw, start, m.start):
            start = c.end()
        clause = start
        prev = mentions[i - 1] if i and doc.line_index(mentions[i - 1].start) == li else None
        same_clause = prev is not None and prev.end >= start
        if prev is not None and same_clause:
            start = prev.end
        cue = _cue(doc, start, m.start, direct=True)
        if cue is None and same_clause and out:
            out.append(_continued(out[-1], m, doc.low[clause : m.start]))
            continue
        if (
            cue is None
            and PERIOD_END.search(doc.low, start, m.start)
            and APPLICATION.search(doc.low, clause, m.start)
        ):  # "inscripciones del 1 al 15 de marzo": "1" is no date, "15 de marzo" ends the period
            cue = Cue("close", start, m.start, doc.low[start : m.start], True)
        if cue is None and m.range_start and APPLICATION.search(doc.low, clause, m.start):
            # "Applications: 1 February - 15 March 2027": a labelled application period opens here
            cue = Cue("open", clause, m.start, doc.low[clause : m.start], True)
        if cue is None and word_count(_WEEKDAYS.sub(" ", doc.low[clause : m.start])) <= 3:
            # "15 March 2027: application deadline"; "¿Cuál es la fecha límite? El 15 de marzo."
            cue = _after(doc, mentions, i, li) or _question(doc, m.start)
        if cue is None and word_count(_WEEKDAYS.sub(" ", doc.low[ls : m.start])) <= 3:
            cue = lines.header(li) or lines.label(li) or lines.caption(li)
        role = cue.role if cue else None
        if m.range_start and role in ("close", "open"):
            # "Plazo: del 7 de febrero al 2 de marzo": the first end of an application period opens it
            role = "open" if cue and APPLICATION.search(cue.source) else None
        out.append((role, cue))
    return out


def _after(doc: Doc, mentions: list[DateMention], i: int, li: int) -> Cue | None:
    """For a date that opens its clause, the first cue after it in the clause, before the next date."""
    m = mentions[i]
    end = min(doc.lines[li][1], m.end + _WINDOW)
    if i + 1 < len(mentions):
        end = min(end, mentions[i + 1].start)
    stop = _CLAUSE_END.search(doc.raw, m.end, end)
    return _cue(doc, m.end, stop.start() if stop else end, direct=True, last=False)


def _question(doc: Doc, start: int) -> Cue | None:
    """The cue of a question right before the sentence of a date ("¿Cuál es la fecha límite? El 15 …")."""
    i = doc.sentence_index(start)
    if i == 0:
        return None
    s, e = doc.sentences[i - 1]
    if not doc.raw[s:e].rstrip().endswith("?") or doc.sentences[i][0] - e > 3:
        return None
    return _cue(doc, s, e, direct=False)


def _continued(
    previous: tuple[Role | None, Cue | None], m: DateMention, clause: str
) -> tuple[Role | None, Cue | None]:
    """A date right after another in the same clause: a list continues its role; the end of a range of
    an application period closes it (an event's range stays an event)."""
    role, cue = previous
    if not m.range_end or role == "other":
        return previous
    if APPLICATION.search(cue.source if cue is not None else clause):
        return ("close", cue)
    return (None, cue)
