"""Prompt-injection post-check shared by every provider.

A call's text is data written by strangers. Text that talks to the model ("ignora las instrucciones
anteriores", a fake `system:` line, a JSON payload with our field names, an HTML comment) flags the call for
review, and no field may take its value from such a sentence: its value goes back to "not stated".
"""

import re
import unicodedata
from collections.abc import Iterator

from boi_shared.events import Enrichment, RawCall

INJECTION_REASON = "posible inyección de instrucciones"

_VERBS_ES = r"(ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|omite|omita|descarta|descarte|desestima)"
_SET_ES = r"(cambia|cambie|cambien|modifica|modifique|pon|ponga|fija|fije|asigna|asigne|actualiza|actualice)"
_FIELDS_ES = r"(elegibilidad|fecha|cierre|plazo|monto|cuantia|tipo|pais|paises|financiador)"
_FIELDS_EN = r"(eligibility|deadline|closing date|amount|type|country|countries|funder)"

# (anchors, pattern): the pattern runs only when one of its literal anchors is in the text, which keeps
# the check cheap (a regex alternation over every call is ten times slower). Both are matched against the
# text with accents removed and lower-cased (see `_fold`).
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
        ("mark|classif|label|treat|tag", r"\b(mark|classify|label|treat|tag)\s+(this|it|the\s+\w+)\s+as\b"),
        (
            "change|set|update|modif|make",
            rf"\b(change|set|update|modify|make)\s+(the\s+)?{_FIELDS_EN}\b[^.\n]{{0,40}}\b(to|as)\b",
        ),
        (
            "marc|clasific|etiquet|trat",
            r"\b(marca|marque|marquen|clasifica|clasifique|etiqueta|etiquete|trata|trate)\s+"
            r"(esto|esta\s+\w+|este\s+\w+|la\s+\w+|el\s+\w+)\s+como\b",
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


def _fold(text: str) -> str:
    """Lower-case ASCII: accents removed (other non-ASCII characters too; no pattern needs them)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def _matches(folded: str) -> Iterator[str]:
    for anchors, pattern in _RULES:
        if any(a in folded for a in anchors):
            match = pattern.search(folded)
            if match:
                yield match.group(0).strip()


def find_injections(text: str) -> list[str]:
    """The suspicious snippets in `text`, one per rule that matched (empty when it reads as plain data)."""
    return list(_matches(_fold(text)))


def looks_like_injection(text: str) -> bool:
    return next(_matches(_fold(text)), None) is not None


def call_looks_injected(call: RawCall) -> bool:
    return looks_like_injection(f"{call.title}\n{call.text}")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def clean_summary(summary: str, fallback: str) -> str:
    """The summary without the sentences that talk to the model (an extractive summary may copy them)."""
    kept = [s for s in _SENTENCE_END.split(summary) if s.strip() and not looks_like_injection(s)]
    return " ".join(kept).strip() or fallback


def guard_injection(call: RawCall, enrichment: Enrichment) -> Enrichment:
    """Flag an injected call for review and take back every value evidenced only by an injected sentence.

    Idempotent: applying it twice gives the same enrichment.
    """
    if not call_looks_injected(call):
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
    if INJECTION_REASON not in reasons:
        reasons.append(INJECTION_REASON)
    title = update["title_es"] = clean_summary(enrichment.title_es, call.url)
    update["summary_es"] = clean_summary(enrichment.summary_es, title)
    return enrichment.model_copy(
        update={**update, "evidence": evidence, "needs_review": True, "review_reasons": reasons}
    )
