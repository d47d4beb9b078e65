"""Several closing dates that belong to different tracks of one call ("Modalidad A: … Modalidad B: …",
"Deadline for master's applicants … for PhD applicants …", "Maestría: …, Doctorado: …", one per country).
No single date is the deadline then: the curator picks from the candidates. Rounds of one application, an
extension or an early-bird date are not tracks: the last of them is the deadline."""

import re
from collections.abc import Iterable
from datetime import date

from boi_enrich.domain.countries import COUNTRIES
from boi_enrich.domain.text import Doc

_TRACK = re.compile(
    r"\b(?:track|strand|lot|category|categoria|categorie|modalidad|modalidade|modality|linea|line|volet"
    r"|componente?|component|eixo|nivel|level)\s+(?:[a-z]|\d{1,2}|[ivx]{1,4})\b"
    r"|\b(?:undergraduate|bachelor|master|phd|doctora\w*|postdoc\w*|pregrado|licenciatura|maestria|magister"
    r"|mestrado|doutorado|licence|individuals?|organi[sz]ations?|institutions?|personas? naturales?"
    r"|personas? juridicas?|organizaciones|instituciones|entidades|empresas|companies)\b"
)
_ROUND = re.compile(
    r"\b(?:rounds?|ronda|corte|cohort\w*|intake|semest\w+|phase|fase|stage|etapa|early|late|final|last"
    r"|first|second|third|primer\w*|segund\w*|tercer\w*|\d(?:st|nd|rd|th|er|o|a|º|°))\b"
    r"|extend\w*|extension|prorrog\w*|ampliad\w*|amplia\w*|nuevo plazo|new deadline|convocatoria \d"
    r"|call \d|reopen\w*|reabiert\w*"
)


# "Deadlines vary by course", "las fechas de cierre varían según la universidad"
_VARY = re.compile(
    r"(?:deadlines?|closing dates?|dates?) (?:\w+ )?var(?:y|ies) (?:by|according to|depending on)"
    r"|(?:fechas?|plazos?) (?:de cierre |limites? )?(?:\w+ )?var[ií]an? "
    r"(?:segun|de acuerdo con|dependiendo de)"
    r"|(?:deadlines?|fechas? (?:de cierre|limites?)|plazos?) (?:differ|dependen?|depend)"
)


def separate_tracks(doc: Doc, closings: Iterable[tuple[date, int, str]]) -> bool:
    """Whether distinct closing dates each name their own track. `closings`: (date, position of the date,
    the label it took its role from, folded)."""
    contexts: dict[date, list[str]] = {}
    for value, start, label in closings:
        s, _ = doc.sentence_span(start)
        contexts.setdefault(value, []).append(f"{label} {doc.low[s:start]}")
    if len(contexts) < 2:
        return False
    texts = [" ".join(parts) for parts in contexts.values()]
    if any(_ROUND.search(text) for text in texts):
        return False
    if _VARY.search(doc.low):
        return True
    tracks = [_tracks(doc, text) for text in texts]
    return all(tracks) and len({frozenset(t) for t in tracks}) == len(tracks)


def _tracks(doc: Doc, text: str) -> set[str]:
    """The tracks a closing date's context names: a track word, a degree level, a kind of applicant, a
    country."""
    named = {m.group(0) for m in _TRACK.finditer(text)}
    return named | {name for name, _, _ in COUNTRIES.find(Doc(text))}
