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

from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc, fold
from boi_shared.events import Enrichment, RawCall

REASON = "posible inyección de instrucciones"

_FIELDS_ES = r"(?:elegibilidad|fecha|cierre|plazo|monto|cuantia|tipo|pais|paises|financiador)"
_FIELDS_EN = r"(?:eligibility|deadline|closing date|amount|call type|type|country|countries|funder)"
_MARK_ES = "marca marque marquen clasifica clasifique etiqueta etiquete trata trate"

# The rules, written once. A word rule is (lead words, rest): one of the words at a word start, then `rest`.
# Other rules start with a mark, not a word: (anchors, pattern), the pattern tried only when one of its
# literal anchors is in the text. Everything is matched against the folded text (`text.fold`: lower case,
# accents removed, same length, so a match points into the call).
_WORD_RULES: tuple[tuple[str, str], ...] = (
    # "ignore previous instructions" and its Spanish forms
    ("ignore disregard forget override", r"\b[^.\n]{0,40}\b(?:instructions?|prompts?|rules|directions)\b"),
    (
        "ignora ignore ignoren ignorar olvida olvide olviden omite omita descarta descarte desestima",
        r"\b[^.\n]{0,40}\b(?:instruccion|instrucciones|indicaciones|reglas)\b",
    ),
    ("new updated real actual", r"\s+instructions?\b"),
    ("nuevas verdaderas siguientes", r"\s+instrucciones\s*:"),
    # role play
    ("you", r"\s+are\s+(?:now|no\s+longer)\b"),
    ("ahora", r"\s+(?:tu\s+)?eres\b"),
    ("developer god jailbreak", r"\s+mode\b"),
    ("modo", r"\s+(?:desarrollador|dios)\b"),
    # orders about the record itself
    ("mark classify label treat tag", r"\s+(?:this|it|the\s+\w+)\s+as\b"),
    ("mark classify label treat tag set", r"\s+(?:this|it|the\s+call|this\s+call)\s+as\b"),
    ("change set update modify make", rf"\s+(?:the\s+)?{_FIELDS_EN}\b[^.\n]{{0,40}}\b(?:to|as)\b"),
    (_MARK_ES, r"\s+(?:esto|esta\s+\w+|este\s+\w+|la\s+\w+|el\s+\w+)\s+como\b"),
    (_MARK_ES, r"\s+(?:esto|esta|este|la|el)\b[^.\n]{0,30}\bcomo\b"),
    (
        "cambia cambie cambien modifica modifique pon ponga fija fije asigna asigne actualiza actualice",
        rf"\s+(?:la|el|los|las)\s+{_FIELDS_ES}\b",
    ),
    ("respond answer reply output", r"\s+only\b"),
    ("responde responda devuelve devuelva", r"\s+(?:solo|unicamente)\b"),
    ("invent fabricate inventa invente inventen inventar", r"\b"),
    ("make", r"\s+up\b"),
    ("assistant llm", r"\s+(?:must|should)\b"),
    ("language", r"\s+model\s+(?:must|should)\b"),
    ("el la", r"\s+(?:asistente|ia)\s+debe\b"),
)
_MARK_RULES: tuple[tuple[str, str], ...] = (
    # a fake role line and chat-template markers
    (
        "system assistant developer sistema asistente",
        r"^[ \t]*(?:#+\s*)?(?:system|assistant|developer|sistema|asistente)\s*:",
    ),
    ("im_ system endoftext", r"<\|?\s*(?:im_start|im_end|system|endoftext)\s*\|?>"),
    ("inst] sys]", r"\[/?(?:inst|sys)\]"),
    ("sys>>", r"<</?sys>>"),
    ("call_data", r"</?\s*call_data\s*>"),
    # hidden comments and JSON payloads naming our fields
    ("<!--", r"<!--"),
    ("[//]", r"\[//\]:\s*#"),
    (
        'call_type" colombia_eligible" deadline" amount" currency" needs_review" review_reasons" countries"'
        ' funder"',
        r"[{,]\s*\"(?:call_type|colombia_eligible|deadline|amount|currency|needs_review|review_reasons"
        r"|countries|funder)\"\s*:",
    ),
)
# For a call's text (the rules' input): every lead word indexed by its first letters (`Lexicon`).
_LEXICON: Lexicon[int] = Lexicon(
    [(i, lead + rest) for i, (leads, rest) in enumerate(_WORD_RULES) for lead in leads.split()]
    + [(len(_WORD_RULES) + i, pattern) for i, (_, pattern) in enumerate(_MARK_RULES)],
    tail="",
)
# For any text (an evidence sentence, a summary): the same rules as regular expressions, each tried only
# when one of its lead words or anchors occurs in the text. A word rule's pattern has no leading `\b` (which
# would cost the regex engine its fast scan for the first letters): `_matches` checks the word start itself.
_PATTERNS: tuple[tuple[tuple[str, ...], re.Pattern[str], bool], ...] = tuple(
    (tuple(leads.split()), re.compile(rf"(?:{'|'.join(leads.split())}){rest}", re.MULTILINE), True)
    for leads, rest in _WORD_RULES
) + tuple(
    (tuple(anchors.split()), re.compile(pattern, re.MULTILINE), False) for anchors, pattern in _MARK_RULES
)
_WORD_CHAR = re.compile(r"\w")
# Companion fields reset together with the field whose evidence was an injected sentence.
_COMPANIONS: dict[str, tuple[str, ...]] = {"deadline": ("deadline_tz",), "amount": ("currency",)}
# Never reset: they are not extracted values.
_KEEP = frozenset({"taxonomy_version", "provider", "title_es", "summary_es", "language", "evidence"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _matches(folded: str) -> Iterator[re.Match[str]]:
    """Every match of every rule whose lead words or anchors occur in the folded text."""
    for anchors, pattern, at_word_start in _PATTERNS:
        if not any(a in folded for a in anchors):
            continue
        pos = 0
        while (match := pattern.search(folded, pos)) is not None:
            start = match.start()
            if at_word_start and start > 0 and _WORD_CHAR.match(folded, start - 1):
                pos = start + 1  # the lead word's letters inside another word: not a match
                continue
            yield match
            pos = match.end()


def find_injections(text: str) -> list[str]:
    """The suspicious snippets in `text` (empty when it reads as plain data)."""
    return [m.group(0).strip() for m in _matches(fold(text))]


def looks_like_injection(text: str) -> bool:
    return next(_matches(fold(text)), None) is not None


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
