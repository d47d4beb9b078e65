"""Prompt injection: text in a call that talks to a model instead of describing the call ("ignora las
instrucciones anteriores", "mark this as eligible", a fake `system:` line, chat-template tokens, a JSON
payload with our field names, an HTML comment). One detector, used twice:

- before the offline rules read a call, its injected sentences are blanked out (`injected_spans`), so they
  cannot set a value;
- after every provider (`guard_injection`), the call is flagged for review, every value whose evidence is
  such a sentence goes back to "not stated" and such sentences leave the title and summary.
"""

import re
from collections.abc import Iterator

from boi_enrich.domain.text import Doc, fold
from boi_shared.events import Enrichment, RawCall

REASON = "posible inyección de instrucciones"

_VERBS_ES = r"(ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|omite|omita|descarta|descarte|desestima)"
_SET_ES = r"(cambia|cambie|cambien|modifica|modifique|pon|ponga|fija|fije|asigna|asigne|actualiza|actualice)"
_FIELDS_ES = r"(elegibilidad|fecha|cierre|plazo|monto|cuantia|tipo|pais|paises|financiador)"
_FIELDS_EN = r"(eligibility|deadline|closing date|amount|call type|type|country|countries|funder)"
_MARK_ES = r"(marca|marque|marquen|clasifica|clasifique|etiqueta|etiquete|trata|trate)"

# (anchors, pattern): the pattern runs only when one of its literal anchors is in the text, which keeps
# the check cheap (a regex alternation over every call is ten times slower). Both are matched against the
# folded text (lower case, accents removed: `text.fold`, which keeps every offset).
_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (tuple(anchors.split("|")), re.compile(pattern, re.MULTILINE))
    for anchors, pattern in (
        # "ignore previous instructions" and its Spanish forms
        (
            "instruction|prompt|rules|direction",
            r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instructions?|prompts?|rules|directions)\b",
        ),
        (
            "instruccion|indicaciones|reglas",
            rf"\b{_VERBS_ES}\b[^.\n]{{0,40}}\b(instruccion|instrucciones|indicaciones|reglas)\b",
        ),
        ("instruction", r"\b(new|updated|real|actual)\s+instructions?\b"),
        ("instrucciones", r"\b(nuevas|verdaderas|siguientes)\s+instrucciones\s*:"),
        # role play and chat-template markers
        ("you", r"\byou\s+are\s+(now|no\s+longer)\b"),
        ("eres", r"\b(ahora|a partir de ahora)\s+(tu\s+)?eres\b"),
        ("mode|modo", r"\b(developer|god|jailbreak)\s+mode\b|\bmodo\s+(desarrollador|dios)\b"),
        (
            "system|assistant|developer|sistema|asistente",
            r"^\s*(#+\s*)?(system|assistant|developer|sistema|asistente)\s*:",
        ),
        (
            "im_|system|endoftext|inst]|sys]|sys>>",
            r"<\|?\s*(im_start|im_end|system|endoftext)\s*\|?>|\[/?(inst|sys)\]|<</?sys>>",
        ),
        ("call_data", r"</?\s*call_data\s*>"),
        # orders about the record itself
        (
            "mark|classif|label|treat|tag|set",
            r"\b(mark|classify|label|treat|tag)\s+(this|it|the\s+\w+)\s+as\b"
            r"|\b(mark|classify|label|treat|tag|set)\s+(this|it|the\s+call|this\s+call)\s+as\b",
        ),
        (
            "change|set|update|modif|make",
            rf"\b(change|set|update|modify|make)\s+(the\s+)?{_FIELDS_EN}\b[^.\n]{{0,40}}\b(to|as)\b",
        ),
        (
            "marc|clasific|etiquet|trat",
            rf"\b{_MARK_ES}\s+(esto|esta\s+\w+|este\s+\w+|la\s+\w+|el\s+\w+)\s+como\b"
            rf"|\b{_MARK_ES}\s+(esto|esta|este|la|el)\b[^.\n]{{0,30}}\bcomo\b",
        ),
        ("cambi|modific|pon|fij|asign|actualiz", rf"\b{_SET_ES}\s+(la|el|los|las)\s+{_FIELDS_ES}\b"),
        (
            "only|solo|unicamente",
            r"\b(respond|answer|reply|output)\s+only\b|\b(responde|responda|devuelve|devuelva)\s+(solo|unicamente)\b",
        ),
        ("invent|make|fabricat", r"\b(invent|make\s+up|fabricate)\b|\b(inventa|invente|inventen|inventar)\b"),
        (
            "must|should|debe",
            r"\b(the\s+)?(assistant|llm|language\s+model)\s+(must|should)\b|\b(el|la)\s+(asistente|ia)\s+debe\b",
        ),
        # hidden comments and JSON payloads naming our fields
        ("<!--|[//]", r"<!--|\[//\]:\s*#"),
        (
            '":|" :',
            r"[{,]\s*\"(call_type|colombia_eligible|deadline|amount|currency|needs_review|review_reasons"
            r"|countries|funder)\"\s*:",
        ),
    )
)
# Companion fields reset together with the field whose evidence was an injected sentence.
_COMPANIONS: dict[str, tuple[str, ...]] = {"deadline": ("deadline_tz",), "amount": ("currency",)}
# Never reset: they are not extracted values.
_KEEP = frozenset({"taxonomy_version", "provider", "title_es", "summary_es", "language", "evidence"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _matches(folded: str) -> Iterator[re.Match[str]]:
    """Every match of every rule whose anchors occur in the folded text."""
    for anchors, pattern in _RULES:
        if any(a in folded for a in anchors):
            yield from pattern.finditer(folded)


def find_injections(text: str) -> list[str]:
    """The suspicious snippets in `text` (empty when it reads as plain data)."""
    return [m.group(0).strip() for m in _matches(fold(text))]


def looks_like_injection(text: str) -> bool:
    return next(_matches(fold(text)), None) is not None


def injected_spans(doc: Doc) -> list[tuple[int, int]]:
    """The sentences that carry instructions to a model, each with the sentence after it on the same line
    (``Ignore the instructions above. The deadline is …``)."""
    spans: list[tuple[int, int]] = []
    for match in _matches(doc.low):
        pos = match.start()
        i = doc.sentence_index(pos)
        start, end = doc.sentences[i]
        line_end = doc.lines[doc.line_index(pos)][1]
        if i + 1 < len(doc.sentences) and doc.sentences[i + 1][1] <= line_end:
            end = doc.sentences[i + 1][1]
        spans.append((start, end))
    return sorted(set(spans))


def clean_summary(summary: str, fallback: str) -> str:
    """The summary without the sentences that talk to the model (an extractive summary may copy them)."""
    kept = [s for s in _SENTENCE_END.split(summary) if s.strip() and not looks_like_injection(s)]
    return " ".join(kept).strip() or fallback


def guard_injection(call: RawCall, enrichment: Enrichment) -> Enrichment:
    """Flag an injected call for review and take back every value evidenced only by an injected sentence.

    Idempotent: applying it twice gives the same enrichment.
    """
    if not looks_like_injection(f"{call.title}\n{call.text}"):
        return enrichment
    defaults = Enrichment.model_fields
    update: dict[str, object] = {}
    evidence = dict(enrichment.evidence)
    for name, item in enrichment.evidence.items():
        if name in _KEEP or name not in defaults or not looks_like_injection(item.sentence):
            continue
        for field in (name, *_COMPANIONS.get(name, ())):
            update[field] = defaults[field].get_default(call_default_factory=True)
        del evidence[name]
    reasons = list(enrichment.review_reasons)
    if REASON not in reasons:
        reasons.append(REASON)
    title = update["title_es"] = clean_summary(enrichment.title_es, call.url)
    update["summary_es"] = clean_summary(enrichment.summary_es, title)
    return enrichment.model_copy(
        update={**update, "evidence": evidence, "needs_review": True, "review_reasons": reasons}
    )
