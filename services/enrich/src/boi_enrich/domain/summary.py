"""Title and plain-language summary in Spanish, offline: one sentence built only from the extracted facts
(type, funder, deadline, eligibility), then the most informative sentences of the text itself, quoted as
written (in its own language: the provider flags non-Spanish texts as not translated)."""

import re
from datetime import date

from boi_enrich.domain.deadlines import spanish_date
from boi_enrich.domain.text import Doc, squash
from boi_shared.taxonomy import CallType, Eligibility

_INFORMATIVE = re.compile(
    r"becas?|scholarships?|premios?|awards?|convocatoria|call|ofrece|offers|financia|funds?|dirigid|open to"
    r"|pueden postular|can apply|objetivo|objective|apoyo|support|otorga|cubre|covers|beneficio|benefit"
)
_NOISE = re.compile(r"https?://|www\.|@|\|")
_NOUN = {CallType.BECA: "Beca", CallType.SUBVENCION: "Subvención", CallType.ALIANZA: "Alianza de cooperación"}
_NOUN |= {CallType.PREMIO: "Premio", CallType.CURSO: "Curso", CallType.VOLUNTARIADO: "Voluntariado"}
_NOUN |= {CallType.EVENTO: "Evento", CallType.EMPLEO: "Empleo o fellowship"}
_NOUN |= {CallType.CONVOCATORIA_PROYECTOS: "Convocatoria de proyectos"}
_WORDS = re.compile(r"[^\W\d_]{3,}")
_MAX_TITLE = 160
_LOOK_AT = 40  # sentences considered for the summary
_MAX_SUMMARY = 600


def title_es(title: str, call_type: CallType | None, funder: str | None) -> str:
    """The published title, cleaned (table bars, spaces) and cut at a word boundary when very long; a title
    without two real words ("Ref.") is replaced by the type and the funder."""
    text = squash(title.replace("|", " ")).strip(" -–·•")
    if len(_WORDS.findall(text)) < 2:
        kind = _NOUN[call_type] if call_type else "Convocatoria"
        return f"{kind} — {funder}" if funder else (text or kind)
    if len(text) <= _MAX_TITLE:
        return text
    cut = text[:_MAX_TITLE].rsplit(" ", 1)[0]
    return f"{cut}…"


def facts_sentence(
    call_type: CallType | None, funder: str | None, deadline: date | None, eligible: Eligibility
) -> str:
    kind = _NOUN[call_type] if call_type else "Convocatoria"
    parts = [f"{kind} de {funder}" if funder else kind]
    if deadline:
        parts.append(f"con cierre el {spanish_date(deadline)}")
    text = ", ".join(parts) + "."
    if eligible == Eligibility.SI:
        text += " Pueden postularse personas o entidades de Colombia."
    elif eligible == Eligibility.NO:
        text += " No está abierta a personas o entidades de Colombia."
    return text


def summarize(doc: Doc, facts: str, skip_title: bool = True, count: int = 1) -> str:
    """`facts`, then up to `count` informative sentences of the text, in their order."""
    title_end = doc.lines[0][1] if doc.lines and skip_title else 0
    scored: list[tuple[int, int, int]] = []
    for s, e in doc.sentences[:_LOOK_AT]:
        if s < title_end or not 50 <= e - s <= 400 or _NOISE.search(doc.low, s, e):
            continue
        score = len(_INFORMATIVE.findall(doc.low, s, e)) * 2 + (1 if len(scored) < 3 else 0)
        scored.append((score, s, e))
    picked = sorted(sorted(scored, key=lambda x: (-x[0], x[1]))[:count], key=lambda x: x[1])
    summary = " ".join([facts, *(squash(doc.raw[s:e]) for _, s, e in picked)])
    if len(summary) > _MAX_SUMMARY:
        summary = summary[:_MAX_SUMMARY].rsplit(" ", 1)[0] + "…"
    return summary
