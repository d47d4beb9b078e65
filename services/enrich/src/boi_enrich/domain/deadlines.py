"""Closing date, its time zone and the opening date of a call. Nothing is invented: the deadline comes only
from a date whose role is closing, and a date without a year gets one only when the text fixes it (the same
day written with a year elsewhere, the year of the other closing dates, a dated opening in its sentence) or
when it falls within the twelve months after the reference date (publication, stated or a dateline).
Several closing dates: the last one, flagged for review; several tracks each with its own closing date:
none, the candidates listed."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from boi_enrich.domain.date_context import dateline, opening_year
from boi_enrich.domain.date_roles import Cue, Role, assign_roles
from boi_enrich.domain.dates import DateMention, find_dates
from boi_enrich.domain.text import Doc, squash
from boi_enrich.domain.timezones import timezone_in
from boi_enrich.domain.tracks import separate_tracks
from boi_shared.events import Evidence

_PUBLISHED = re.compile(r"publicad|publicacion|se publico|published|posted|publie")
_APPROXIMATE = re.compile(
    r"fechas? (?:\w+ )?(?:aproximad|tentativ|estimad)|(?:approximate|tentative|estimated) (?:\w+ )?(?:dates?"
    r"|deadlines?)"
    r"|dates? (?:are|is) (?:approximate|tentative)|(?:cronograma|calendario|schedule|timeline"
    r"|fechas?) (?:\w+ )?"
    r"(?:is |esta |estan )?(?:subject to change|sujet[ao]s? a cambios?|por confirmar|to be confirmed)"
)
_MONTHS_ES = (
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre".split()
)
_JUST_BEFORE = 60  # a year-less date this close before the reference could be this year's or next year's


@dataclass(frozen=True)
class DeadlineResult:
    deadline: date | None = None
    deadline_tz: str | None = None
    opening: date | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Found:
    value: date | None
    mention: DateMention
    cue: Cue | None
    inferred: bool


def spanish_date(d: date) -> str:
    return f"{d.day} de {_MONTHS_ES[d.month - 1]} de {d.year}"


def extract_deadline(doc: Doc, english: bool, reference: date | None) -> DeadlineResult:
    mentions = find_dates(doc.low, doc.raw, english)
    roles = assign_roles(doc, mentions)
    dated: dict[tuple[int, int], set[int]] = {}
    for m in mentions:
        if m.year is not None:
            dated.setdefault((m.day, m.month), set()).add(m.year)
    ref = reference or _published(doc, mentions, roles) or dateline(doc, mentions, roles)
    text_years = {m.year for m in mentions if m.year is not None}
    close_years = {m.year for m, (r, _) in zip(mentions, roles, strict=True) if r == "close" and m.year}
    found: dict[Role, list[_Found]] = {"close": [], "open": [], "other": []}
    for i, (m, (role, cue)) in enumerate(zip(mentions, roles, strict=True)):
        if role is not None and not m.ambiguous:
            opened = opening_year(doc, i, mentions, roles) if role == "close" and m.year is None else None
            if opened is not None:
                value, inferred = _date(opened, m.month, m.day), True
            else:
                value, inferred = _resolve(m, dated, close_years, ref, text_years)
            found[role].append(_Found(value, m, cue, inferred))
    reasons: list[str] = []
    evidence: dict[str, Evidence] = {}
    ambiguous = [m for m, (r, _) in zip(mentions, roles, strict=True) if r == "close" and m.ambiguous]
    deadline, tz = _choose(doc, found["close"], ambiguous, reasons, evidence)
    opening = _opening(doc, found["open"], deadline, evidence)
    return DeadlineResult(deadline, tz, opening, evidence, reasons)


def _choose(
    doc: Doc, close: list[_Found], ambiguous: list[DateMention], reasons: list[str], ev: dict[str, Evidence]
) -> tuple[date | None, str | None]:
    resolved = [f for f in close if f.value is not None]
    if ambiguous:
        reasons.append("fecha numérica ambigua (día/mes)")
    if not resolved:
        if close:
            reasons.append("fecha de cierre sin año")
        elif not ambiguous:
            reasons.append("sin fecha de cierre en el texto")
        return None, None
    tracks = [
        (f.value, f.mention.start, "" if f.cue is None or f.cue.direct else f.cue.source)
        for f in resolved
        if f.value is not None
    ]
    if separate_tracks(doc, tracks):
        reasons += ["fechas de cierre por modalidad", f"fechas de cierre candidatas: {_candidates(close)}"]
        return None, None
    best = max(resolved, key=lambda f: (f.value or date.min, f.cue.direct if f.cue else False))
    assert best.value is not None
    others = {(f.mention.day, f.mention.month) for f in close} - {(best.value.day, best.value.month)}
    conflict = len({f.value for f in resolved}) > 1 or bool(others)
    confidence = 0.9 if best.cue and best.cue.direct else 0.8
    if best.inferred:
        confidence = 0.7
        reasons.append("año de la fecha de cierre deducido")
    if conflict:
        confidence = min(confidence, 0.6)
        reasons += ["fechas en conflicto", f"fechas de cierre candidatas: {_candidates(close)}"]
    if _APPROXIMATE.search(doc.low):
        confidence = min(confidence, 0.6)
        reasons.append("fechas aproximadas")
    ev["deadline"] = Evidence(sentence=_quote(doc, best), confidence=confidence)
    tz = None
    for f in resolved:
        if f.value == best.value and (tz := _timezone(doc, f)) is not None:
            ev["deadline_tz"] = Evidence(sentence=_quote(doc, f), confidence=min(confidence, 0.8))
            break
    return best.value, tz


def _candidates(close: list[_Found]) -> str:
    """Every closing date the text states, for the curator ("15 de marzo de 2027; 30 de junio (sin año)")."""
    ordered = sorted(close, key=lambda f: (f.value or date.max, f.mention.month, f.mention.day))
    named = (
        spanish_date(f.value)
        if f.value
        else f"{f.mention.day} de {_MONTHS_ES[f.mention.month - 1]} (sin año)"
        for f in ordered
    )
    return "; ".join(dict.fromkeys(named))


def _opening(doc: Doc, opens: list[_Found], deadline: date | None, ev: dict[str, Evidence]) -> date | None:
    candidates = [f for f in opens if f.value is not None and (deadline is None or f.value <= deadline)]
    if not candidates:
        return None
    pick = max(candidates, key=lambda f: f.value or date.min) if deadline else candidates[0]
    ev["opening_date"] = Evidence(sentence=_quote(doc, pick), confidence=0.6 if pick.inferred else 0.8)
    return pick.value


def _resolve(
    m: DateMention,
    dated: dict[tuple[int, int], set[int]],
    close_years: set[int],
    ref: date | None,
    text_years: set[int],
) -> tuple[date | None, bool]:
    if m.year is not None:
        return _date(m.year, m.month, m.day), False
    years = set(dated.get((m.day, m.month), set()))
    if len(years) == 1:
        return _date(years.pop(), m.month, m.day), False
    if m.weekday is not None:
        near = {y + k for y in text_years | ({ref.year} if ref else set()) for k in (-1, 0, 1)}
        matching = [
            y for y in near if (d := _date(y, m.month, m.day)) is not None and d.weekday() == m.weekday
        ]
        if len(matching) != 1:  # no year or several agree with the weekday the text names
            return None, True
        return _date(matching[0], m.month, m.day), True  # "viernes 28 de mayo" near 2022: only 2021
    candidates: set[int] = set()
    if len(close_years) == 1:
        candidates |= close_years
    if ref is not None:
        this_year = _date(ref.year, m.month, m.day)
        if this_year is None:
            return None, True
        if this_year >= ref:
            candidates.add(ref.year)
        elif ref - this_year <= timedelta(days=_JUST_BEFORE):
            return None, True
        else:
            candidates.add(ref.year + 1)
    if len(candidates) == 1:
        return _date(candidates.pop(), m.month, m.day), True
    return None, True


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _published(
    doc: Doc, mentions: list[DateMention], roles: list[tuple[Role | None, Cue | None]]
) -> date | None:
    """The publication date the text states (``Publicado: 14 de abril de 2025``), if any."""
    out = None
    for m, (role, cue) in zip(mentions, roles, strict=True):
        if role == "other" and cue and m.year and _PUBLISHED.search(cue.source):
            value = _date(m.year, m.month, m.day)
            out = max(out, value) if out and value else value or out
    return out


def _quote(doc: Doc, f: _Found) -> str:
    sentence = doc.sentence_at(f.mention.start)
    if f.cue is None or f.cue.direct:
        return sentence
    label = squash(doc.raw[f.cue.start : f.cue.end])[:150]
    return f"{label} … {sentence}" if f.cue.start < f.mention.start else f"{sentence} … {label}"


def _timezone(doc: Doc, f: _Found) -> str | None:
    m = f.mention
    line_end = doc.lines[doc.line_index(m.start)][1]
    places = [(m.end, min(line_end, m.end + 100))]
    if f.cue is not None:
        places.append((f.cue.start, f.cue.end))
    return timezone_in(doc.low, places, f.value)
