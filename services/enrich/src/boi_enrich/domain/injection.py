"""Text that talks to a model instead of describing a call ("ignore the previous instructions", "mark this
as eligible", a fake ``system:`` line). The rules read data only, but such sentences are blanked out before
any field is extracted, so they cannot set a value, and the call goes to review."""

from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc

REASON = "posible inyección de instrucciones"


def _each(leads: str, rest: str) -> list[tuple[str, str]]:
    return [("injection", lead + rest) for lead in leads.split()]


_LEXICON: Lexicon[str] = Lexicon(
    _each(
        "ignore disregard forget override", r"\b[^.\n]{0,40}\b(?:instructions?|prompts?|rules|directions)\b"
    )
    + _each(
        "ignora ignoren ignorar olvida olvide omite omita descarta descarte",
        r"\b[^.\n]{0,40}\b(?:instrucciones|instruccion|indicaciones|reglas)\b",
    )
    + _each("new updated real", r" instructions?\s*:")
    + _each("nuevas verdaderas", r" instrucciones\s*:")
    + _each("you", r" are (?:now|no longer)\b")
    + _each("ahora", r" (?:tu )?eres\b")
    + _each("mark classify label treat tag set", r"\s+(?:this|it|the call|this call)\s+as\b")
    + _each(
        "marca marque marquen clasifica clasifique etiqueta etiquete",
        r"\s+(?:esto|esta|este|la|el)\b[^.\n]{0,30}\bcomo\b",
    )
    + _each("change set update", r"\s+(?:the\s+)?(?:deadline|eligibility|call type|funder|amount)\s+to\b")
    + _each("cambia pon fija asigna", r"\s+(?:la|el)\s+(?:fecha|elegibilidad|tipo|financiador|monto)\b")
    + _each("respond answer reply output", r" only\b")
    + _each("responde devuelve", r" (?:solo|unicamente)\b")
    + [
        ("injection", r"^[ \t]*(?:#+[ \t]*)?(?:system|assistant|developer|sistema|asistente)[ \t]*:"),
        ("injection", r"<\|?\s*(?:im_start|im_end|system|endoftext)\s*\|?>"),
        ("injection", r"\[/?(?:inst|sys)\]"),
        ("injection", r"<</?sys>>"),
    ],
    tail="",
)


def injected_spans(doc: Doc) -> list[tuple[int, int]]:
    """The sentences that carry instructions to a model, each with the sentence after it on the same line
    (``Ignore the instructions above. The deadline is …``)."""
    spans: list[tuple[int, int]] = []
    for _, pos, _ in _LEXICON.find(doc):
        i = doc.sentence_index(pos)
        start, end = doc.sentences[i]
        line_end = doc.lines[doc.line_index(pos)][1]
        if i + 1 < len(doc.sentences) and doc.sentences[i + 1][1] <= line_end:
            end = doc.sentences[i + 1][1]
        spans.append((start, end))
    return spans
