"""Who offers or funds the call. In order: a labelled field (``Entidad convocante:``, ``Organized by:``), the
organisation a sentence names as offering or funding (``La Fundación X ofrece``, ``offered by X``), the
best-known funder the text names most (title first), and last the host of the URL, a guess (≤ 0.3)."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from boi_enrich.domain.orgs import Org, find_orgs
from boi_enrich.domain.text import Doc, fold, squash

_LABEL = re.compile(
    r"(?:^|\|)[ \t]*[-•*]?[ \t]*(?:entidad (?:convocante|financiadora|oferente)|institucion (?:que promueve"
    r"|oferente|convocante)|organismo (?:convocante|financiador)|organo de contratacion|financiador"
    r"|financiado por|organized by|organised by|offered by|funded by|funder|sponsored by|donor"
    r"|awarding body|convocante)[ \t]*[:|][ \t]*",
    re.MULTILINE,
)
_BY = re.compile(
    r"\b(?:offered|funded|financed|sponsored|organi[sz]ed|administered|supported|awarded|run) by\s+"
    r"|\b(?:ofrecid|financiad|convocad|organizad|auspiciad|otorgad|patrocinad|administrad)[oa]s? por\s+"
)
_OFFERS = re.compile(
    r"\b(?:ofrecen?|convocan?|abren?|abrio|lanzan?|lanzo|invitan?|otorgan?|financian?|anuncian?|anuncio"
    r"|brindara|brinda|offers|invites|announces|announced|is (?:pleased|delighted|happy|proud) to announce"
    r"|launche[sd]|is offering|provides|funds|opens|calls for)\b"
)
_NAME = re.compile(
    r"(?:[A-ZÁÉÍÓÚÑÜ][\w'’&.\-/]*|\([A-Z][\w+\-]*\))(?:[ \t]+(?:(?:de|del|la|las|los|y|e|of|the|for|and|on|&"
    r"|para|fur|des|du|di)[ \t]+)*(?:[A-ZÁÉÍÓÚÑÜ][\w'’&.\-/]*|\([A-Z][\w+\-]*\)))*"
)
_ARTICLE = re.compile(r"^(?:the|la|el|los|las|le|les|l')\s+", re.IGNORECASE)
_ORG_WORD = re.compile(
    r"\b(?:fundacion|foundation|fondation|ministerio|ministry|minist[eè]re|universidad|university|agencia"
    r"|agency|embajada|embassy|gobierno|government|organizacion|organi[sz]ation|instituto|institute"
    r"|comision|commission|secretaria|trust|council|consejo|banco|bank|red|network|asociacion"
    r"|association|centro|cent(?:er|re)|alcaldia|observator\w+|corporacion|society|sociedad|fondo|fund"
    r"|academ\w+|oficina|office|department|departamento|union|armada|camara|chamber)\b",
    re.IGNORECASE,
)
_PROGRAMME = re.compile(
    r"^(?:programa|program|programme|proyecto|project|convocatoria|iniciativa|initiative)\b", re.IGNORECASE
)
_SECOND_LEVEL = frozenset({"gov", "gob", "edu", "com", "org", "ac", "co", "net", "mil", "go", "or"})
_GENERIC_HOST = frozenset({"www", "sede", "web", "amp", "es", "en", "m", "portal", "blog", "news"})


@dataclass(frozen=True)
class FunderResult:
    name: str | None = None
    sentence: str | None = None
    confidence: float = 0.0
    colombian_at: int | None = None  # where a Colombian funder is named, for the eligibility rules


def find_funder(doc: Doc, url: str, english: bool) -> FunderResult:
    known = find_orgs(doc)
    title_end = doc.lines[0][1] if doc.lines else 0

    def named(org: Org, pos: int, confidence: float) -> FunderResult:
        colombian = pos if org.colombian else None
        return FunderResult(
            org.name_en if english else org.name_es, doc.sentence_at(pos), confidence, colombian
        )

    def known_in(start: int, end: int) -> tuple[Org, int] | None:
        inside = [(org, h) for org, hits in known for h in hits if start <= h < end]
        return min(inside, key=lambda x: x[1]) if inside else None

    for m in _LABEL.finditer(doc.low):
        value = _clean(doc.raw[m.end() : doc.lines[doc.line_index(m.end())][1]])
        if value:
            return FunderResult(value, doc.sentence_at(m.start()), 0.85)
    deferred: FunderResult | None = None
    events = sorted(
        [(m.start(), m.end(), True) for m in _BY.finditer(doc.low)]
        + [(m.start(), m.end(), False) for m in _OFFERS.finditer(doc.low)]
    )
    seen: set[int] = set()
    for start, end, by in events:
        s, e = doc.sentence_span(start)
        if by:
            hit = known_in(end, min(e, end + 80))
            if hit:
                return named(*hit, 0.75)
            name = _name_at(doc.raw, end)
            if name and _ORG_WORD.search(fold(name)):
                return FunderResult(name, doc.sentence_at(start), 0.7)
            continue
        if s in seen:  # the first offering verb of a sentence only
            continue
        seen.add(s)
        hit = known_in(s, start)
        if hit:
            return named(*hit, 0.75)
        name = _name_at(doc.raw, s)
        if name and _ORG_WORD.search(fold(name)) and deferred is None:
            deferred = FunderResult(name, doc.sentence_at(s), 0.6 if not _PROGRAMME.match(name) else 0.5)
    if deferred is not None and deferred.confidence >= 0.6:
        return deferred
    if known:
        org, hits = max(known, key=lambda k: len(k[1]) + (3 if k[1][0] < title_end else 0))
        return named(org, hits[0], 0.7 if hits[0] < title_end else 0.6)
    if deferred is not None:
        return deferred
    host = _host_name(url)
    return FunderResult(host, f"URL: {url}", 0.3) if host else FunderResult()


def _name_at(raw: str, pos: int) -> str | None:
    text = _ARTICLE.sub("", raw[pos : pos + 160].lstrip())
    m = _NAME.match(text)
    return _ARTICLE.sub("", m.group(0)).strip(" -/") if m and len(m.group(0)) >= 3 else None


def _clean(value: str) -> str | None:
    """A labelled value: up to a cell or list separator, without a trailing place (``, New York``)."""
    value = re.split(r"[|;\n]", value, maxsplit=1)[0].strip(" .-")
    head, _, tail = value.rpartition(",")
    if head and len(tail.split()) <= 3:
        value = head
    value = _ARTICLE.sub("", squash(value))
    return value if len(value) >= 2 and value[0].isalpha() else None


def _host_name(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").rstrip(".")
    labels = [p for p in host.split(".") if p]
    if len(labels) < 2:
        return None
    i = len(labels) - 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL else len(labels) - 2
    name = labels[i]
    if len(name) <= 2:
        specific = [p for p in labels[:i] if p not in _GENERIC_HOST]
        name = specific[-1] if specific else name
    return name
