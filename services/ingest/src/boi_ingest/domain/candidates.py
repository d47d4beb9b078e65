"""Deadline and funder candidates: what the source itself states, kept for enrichment to confirm.

A deadline candidate is a complete date found in a sentence that speaks of a deadline ("fecha límite",
"cierre", "plazo", "deadline", "closes"…), with that sentence. A funder candidate is the name that follows
"financiado por", "offered by", "funded by"… (or a "Funder:" label). Nothing is inferred: a date without a
year, or a funder the text does not name, gives no candidate.
"""

import re

from boi_ingest.domain.dates import find_dates
from boi_shared.events import DateCandidate

MAX_SENTENCE = 300
MAX_CANDIDATES = 10
_DEADLINE_WORDS = re.compile(
    r"fecha\s+l[íi]mite|fecha\s+de\s+cierre|\bcierr[ea]n?\b|\bcierre\b|\bplazos?\b|\bvence\b|\bhasta\s+el\b"
    r"|dead\s*line|\bclos(?:es|ing|e)\b|\bdue\s+date\b|\bapply\s+by\b|\bsubmit\w*\s+by\b"
    r"|date\s+limite|cl[ôo]ture|prazo",
    re.IGNORECASE,
)
_FUNDER = re.compile(
    r"(?:\b(?:financiad|patrocinad|ofrecid|otorgad|auspiciad|apoyad|cofinanciad)[oa]s?\s+por"
    r"|\b(?:funded|offered|sponsored|awarded|supported|financed|granted)\s+by"
    r"|\b(?:funder|financiador|entidad\s+financiadora|financiadores|sponsor|oferente)\s*:)"
    r"\s+(?P<name>[^.,;:()\[\]\n]{2,160})",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    r"\s+(?:para|que|con|como|a\s+trav[ée]s|durante|desde|hasta|to|with|which|who|for|through|under|in\s+order)"
    r"\b.*$",
    re.IGNORECASE,
)
_LEADING_ARTICLE = re.compile(r"^(?:el|la|los|las|the|le|les|l'|o|a|os|as)\s+", re.IGNORECASE)


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= MAX_SENTENCE else f"{sentence[: MAX_SENTENCE - 1]}…"


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of `text` that contains text[start:end]."""
    head = max(text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "; ", "\n", " • "))
    tails = [i for mark in (". ", "! ", "? ", "; ", "\n", " • ") if (i := text.find(mark, end)) >= 0]
    tail = min(tails) + 1 if tails else len(text)
    return text[head + 1 if head >= 0 else 0 : tail].strip()


def deadline_candidates(text: str, language: str | None = None) -> list[DateCandidate]:
    """Dates stated in deadline sentences, in order, one per (date, sentence)."""
    found: list[DateCandidate] = []
    seen: set[tuple[str, str]] = set()
    for day, start, end in find_dates(text, language, spans=True):
        sentence = _sentence_around(text, start, end)
        if not _DEADLINE_WORDS.search(sentence):
            continue
        clipped = _clip(sentence)
        if (key := (day.isoformat(), clipped)) not in seen:
            seen.add(key)
            found.append(DateCandidate(date=day, sentence=clipped))
            if len(found) == MAX_CANDIDATES:
                break
    return found


def _funder_name(raw: str) -> str | None:
    name = _NAME_END.sub("", raw.strip())
    name = _LEADING_ARTICLE.sub("", name).strip(" -–—'\"“”")
    words = name.split()
    if len(words) > 12:
        name = " ".join(words[:12])
    return name if len(name) >= 3 and any(ch.isalpha() for ch in name) else None


def funder_candidates(text: str) -> list[str]:
    """Names the text says fund or offer the call, as stated, in order, without repeats."""
    found: list[str] = []
    seen: set[str] = set()
    for m in _FUNDER.finditer(text):
        name = _funder_name(m["name"])
        if name is not None and (key := name.casefold()) not in seen:
            seen.add(key)
            found.append(name)
            if len(found) == MAX_CANDIDATES:
                break
    return found
