"""Never-invent guard applied after a model: a value must be evidenced by a sentence of the call itself.

A model may paraphrase or hallucinate. Each evidence sentence is looked up in the call's title and text
(whitespace collapsed, case and accents folded); a date, amount or eligibility verdict whose sentence is not
there is dropped and the call goes to review. Other fields keep their value but lose the unfound evidence.
"""

import re
import unicodedata
from datetime import date

from boi_shared.events import Enrichment, RawCall

# Values that must never be invented: reset (with their companions) when their evidence is not found.
GUARDED: dict[str, tuple[str, ...]] = {
    "deadline": ("deadline", "deadline_tz"),
    "opening_date": ("opening_date",),
    "amount": ("amount", "currency"),
    "colombia_eligible": ("colombia_eligible",),
}
LOW_CONFIDENCE = 0.6
_SPACES = re.compile(r"\s+")
_EDGES = " \t\n\"'“”‘’«»`.…;:,-–—()[]"


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SPACES.sub(" ", folded).casefold().strip()


def found_in(sentence: str, haystack: str) -> bool:
    """True when the sentence (without surrounding quotes, punctuation or an ellipsis) is in the haystack.

    A model that cut a long sentence with "…" is accepted when every piece it kept is in the text.
    """
    pieces = [normalize(p).strip(_EDGES) for p in re.split(r"\.\.\.|…", sentence)]
    pieces = [p for p in pieces if p]
    return bool(pieces) and all(p in haystack for p in pieces)


_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_NUMBER = re.compile(r"\d[\d.,' ]*\d|\d")
_SCALE = re.compile(r"\b(mil|miles|millon|millones|thousand|million|millions|k|m)\b")


def consistent(name: str, value: object, sentence: str) -> bool:
    """Cheap check that the sentence can state the value: a date's year, when the sentence names years,
    is one of them; an amount's digits are among the sentence's numbers (or its leading digits, when the
    sentence says "mil", "million", …)."""
    if isinstance(value, date):
        years = {m.group(0) for m in _YEAR.finditer(sentence)}
        return not years or str(value.year) in years
    if name == "amount" and isinstance(value, int | float):
        numbers = {re.sub(r"\D", "", n) for n in _NUMBER.findall(sentence)}
        whole = str(int(value))
        if whole in numbers:
            return True
        leading = whole.rstrip("0")
        return bool(_SCALE.search(normalize(sentence))) and any(n.rstrip("0") == leading for n in numbers)
    return True


def guard_evidence(call: RawCall, enrichment: Enrichment) -> Enrichment:
    """Drop what the call does not evidence; flag the call for review when anything was dropped."""
    haystack = normalize(f"{call.title}\n{call.text}")
    defaults = Enrichment.model_fields
    update: dict[str, object] = {}
    evidence = {}
    reasons = list(enrichment.review_reasons)
    for name, item in enrichment.evidence.items():
        if not consistent(name, getattr(enrichment, name, None), item.sentence):
            reasons.append(f"la frase de evidencia de {name} no contiene su valor")
        elif found_in(item.sentence, haystack):
            evidence[name] = item
            if item.confidence < LOW_CONFIDENCE and name in GUARDED:
                reasons.append(f"confianza baja en {name} ({item.confidence:.2f})")
        else:
            reasons.append(f"evidencia de {name} no encontrada en el texto")
    for name, fields in GUARDED.items():
        value = getattr(enrichment, name)
        stated = value is not None and value != defaults[name].get_default(call_default_factory=True)
        if stated and name not in evidence:
            for field in fields:
                update[field] = defaults[field].get_default(call_default_factory=True)
            reasons.append(f"{name} descartado: no se encontró la frase que lo indica en el texto")
    if enrichment.call_type is None:
        reasons.append("tipo de convocatoria sin determinar")
    elif "call_type" not in evidence:
        reasons.append("tipo de convocatoria sin frase de evidencia")
    unique = list(dict.fromkeys(reasons))
    return enrichment.model_copy(
        update={
            **update,
            "evidence": evidence,
            "review_reasons": unique,
            "needs_review": enrichment.needs_review or bool(unique),
        }
    )
