"""The headline amount offered and its currency. Only an amount in a sentence that says it is offered
(``dotación``, ``hasta un máximo de``, ``valued at``, ``grant of``) counts; fees, prices and programme
totals do not. Spanish ``50.000`` and English ``50,000`` are both fifty thousand."""

import re
from dataclasses import dataclass

from boi_enrich.domain.text import Doc

_CODE = (
    r"us\$|u\$s|usd|eur|gbp|cop|mxn|chf|jpy|cad|aud|brl|ars|clp|pen|€|£|¥|\$|dolares(?: estadounidenses)?"
    r"|dollars|euros?|libras(?: esterlinas)?|pounds|pesos(?: colombianos)?|yenes|yen"
)
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_SCALE = r"mil millones|millones|millon|million|billion|mil|k\b"
_MONEY = re.compile(
    rf"(?P<c1>{_CODE})\s?(?P<n1>{_NUMBER})(?:\s*(?P<s1>{_SCALE}))?"
    rf"|(?P<n2>{_NUMBER})(?:\s*(?P<s2>{_SCALE}))?\s*(?:de\s+)?(?P<c2>{_CODE})(?![a-z])"
)
_OFFERED = re.compile(
    r"dotaci[oó]n|dotad[oa]|premio|prize|award|beca de|hasta (?:un )?(?:monto )?maximo|hasta un total"
    r"|up to|valued at|worth|stipend|estipendio|grant of|\bgrant\b|cuantia|monto|importe|financiamiento de"
    r"|cofinancia|subvencion solicitada|por beneficiario|per (?:person|student|project|beneficiary|month"
    r"|year)"
    r"|cada uno de los beneficiarios|recibira|will receive|mensual|al mes|anuales"
)
_NOT_OFFERED = re.compile(
    r"\bfees?\b|inscripci[oó]n|cuota|costo|\bcost|precio|price|pricing|tasa|entry|descuento|discount"
    r"|invertira|inversion|invest|presupuesto total|total budget|en total"
)
_CURRENCY = {"us$": "USD", "u$s": "USD", "usd": "USD", "dolares": "USD", "dollars": "USD", "eur": "EUR"}
_CURRENCY |= {"€": "EUR", "euro": "EUR", "euros": "EUR", "gbp": "GBP", "£": "GBP", "libras": "GBP"}
_CURRENCY |= {"pounds": "GBP", "cop": "COP", "pesos colombianos": "COP", "jpy": "JPY", "¥": "JPY"}
_CURRENCY |= {"yen": "JPY", "yenes": "JPY"}
_PESO_COUNTRIES = (
    ("colombia", "COP"),
    ("mexic", "MXN"),
    ("chile", "CLP"),
    ("argentin", "ARS"),
    ("uruguay", "UYU"),
)
_SCALES = {"mil millones": 1e9, "millones": 1e6, "millon": 1e6, "million": 1e6, "billion": 1e9, "mil": 1e3}
_SCALES |= {"k": 1e3}


@dataclass(frozen=True)
class AmountResult:
    amount: float | None = None
    currency: str | None = None
    sentence: str | None = None
    confidence: float = 0.0


def _number(text: str) -> float:
    text = text.replace(" ", "")
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", text):
        return float(re.sub(r"[.,]", "", text))
    if re.search(r"[.,]\d{1,2}$", text):
        whole, dec = text[: -3 if text[-3] in ".," else -2], text[-2:].lstrip(".,")
        return float(re.sub(r"[.,]", "", whole) + "." + dec)
    return float(re.sub(r"[.,]", "", text))


def _currency(code: str, doc: Doc) -> str | None:
    code = code.strip()
    if code.startswith("dolares"):
        return "USD"
    if code.startswith("libras"):
        return "GBP"
    if code in ("$", "pesos"):
        if "pesos" in doc.low:  # pesos: Colombian unless the text is about another peso country
            return next((c for k, c in _PESO_COUNTRIES if k in doc.low), "COP")
        return "USD" if "usd" in doc.low or "dolar" in doc.low or "dollar" in doc.low else None
    return _CURRENCY.get(code, code.upper() if len(code) == 3 else None)


_FIELD = re.compile(
    rf"(?:cuantia|monto|importe|dotacion|amount|value)[^|:\n]{{0,60}}[:|]\s*(?:entre|between|hasta|up to)?\s*"
    rf"(?P<a>{_NUMBER})(?:\s*(?:y|and|a|-|to)\s*(?P<b>{_NUMBER}))?(?!\s*%)"
)
_CURRENCY_FIELD = re.compile(r"(?:moneda|currency)\s*[:|]\s*(?P<c>[a-z$€£]+)")


def _table_amount(doc: Doc) -> AmountResult:
    """A table with the amount and the currency in separate fields (``Cuantía | Entre 1.000 y 3.000``)."""
    field, unit = _FIELD.search(doc.low), _CURRENCY_FIELD.search(doc.low)
    if field is None:
        return AmountResult()
    value = max(_number(field["a"]), _number(field["b"]) if field["b"] else 0.0)
    currency = _currency(unit["c"], doc) if unit else None
    return AmountResult(value, currency, doc.sentence_at(field.start()), 0.5) if value > 0 else AmountResult()


def find_amount(doc: Doc) -> AmountResult:
    best: tuple[int, int, AmountResult] | None = None
    for s, e in doc.sentences:
        low = doc.low[s:e]
        if not _OFFERED.search(low):
            continue
        score = 1 - (2 if _NOT_OFFERED.search(low) else 0)
        if score <= 0:
            continue
        for m in _MONEY.finditer(doc.low, s, e):
            value = _number(m["n1"] or m["n2"]) * _SCALES.get((m["s1"] or m["s2"] or "").strip(), 1)
            currency = _currency(m["c1"] or m["c2"], doc)
            if value <= 0:
                continue
            candidate = AmountResult(value, currency, doc.sentence_at(m.start()), 0.7 if currency else 0.5)
            if best is None or (score, -m.start()) > (best[0], best[1]):
                best = (score, -m.start(), candidate)
    return best[2] if best else _table_amount(doc)
