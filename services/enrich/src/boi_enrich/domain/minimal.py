"""Minimal deterministic enrichment: keyword call type, extractive summary. Flags every call for review."""

import re

from boi_shared.events import Enrichment, Evidence, RawCall
from boi_shared.taxonomy import TAXONOMY_VERSION, CallType

# Ordered: the first lexicon with a match in the title wins, then the text is tried.
_TYPE_LEXICON: list[tuple[CallType, tuple[str, ...]]] = [
    (CallType.BECA, ("beca", "scholarship", "bourse", "fellowship program", "studentship")),
    (CallType.PREMIO, ("premio", "award", "prize", "challenge", "concurso")),
    (CallType.VOLUNTARIADO, ("voluntariado", "volunteer")),
    (CallType.CURSO, ("curso", "course", "training", "formación", "diplomado", "taller")),
    (CallType.SUBVENCION, ("subvención", "subvencion", "grant", "fondo", "fund", "financiación")),
    (CallType.CONVOCATORIA_PROYECTOS, ("convocatoria de proyectos", "call for proposals", "proyectos")),
    (CallType.EMPLEO, ("empleo", "job", "vacante", "fellowship", "position")),
    (CallType.EVENTO, ("evento", "event", "conferencia", "conference", "foro", "summit")),
    (CallType.ALIANZA, ("alianza", "partnership", "cooperación", "cooperation")),
]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def classify_type(title: str, text: str) -> tuple[CallType | None, str | None]:
    """Call type by lexicon, with the sentence that evidences it."""
    for haystack in (title, text):
        low = haystack.lower()
        for call_type, words in _TYPE_LEXICON:
            for word in words:
                if re.search(rf"\b{re.escape(word)}", low):
                    evidence = next((s for s in sentences(haystack) if word in s.lower()), haystack)
                    return call_type, evidence[:500]
    return None, None


def summarize(text: str, max_sentences: int = 2, max_chars: int = 400) -> str:
    picked = " ".join(sentences(text)[:max_sentences])
    return picked[:max_chars].rstrip() or text[:max_chars]


def enrich_minimal(call: RawCall) -> Enrichment:
    call_type, evidence = classify_type(call.title, call.text)
    return Enrichment(
        taxonomy_version=TAXONOMY_VERSION,
        provider="local-minimal",
        title_es=call.title,
        summary_es=summarize(call.text or call.title),
        call_type=call_type,
        language=call.language,
        evidence={"call_type": Evidence(sentence=evidence, confidence=0.5)} if evidence else {},
        needs_review=True,
        review_reasons=["enriquecimiento mínimo: revisar tipo, fechas y elegibilidad"],
    )
