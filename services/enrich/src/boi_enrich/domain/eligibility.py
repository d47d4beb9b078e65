"""Can people or entities of Colombia apply? "si" only on words that include Colombia (Colombia or
Colombians named as eligible, Latin America, the whole world, developing countries, a Colombian programme);
"no" only on words that restrict the call to a group without Colombia; otherwise "sin_dato". A wrong yes or
no hurts more than "sin_dato", so conflicting signals give "sin_dato" and a review reason."""

import re
from dataclasses import dataclass, field

from boi_enrich.domain.countries import COUNTRIES, INCLUDES_COLOMBIA
from boi_enrich.domain.eligibility_terms import FOREIGNERS_ONLY, NATIONAL_PEOPLE, NATIONALITY, SIGNALS
from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Eligibility

_LEXICON: Lexicon[str] = Lexicon(SIGNALS, tail="")
_NEGATION = re.compile(
    r"(?:\bexcept\w*|\bexcepto\b|\bsalvo\b|\bexclud\w+|\bexcluy\w+|\bexcluid\w+|not eligible|no (?:son"
    r"|es) elegible"
    r"|no pueden|no podran|unable to fund|do not fund|no financia\w*|ineligible|con excepcion de"
    r"|a excepcion de|with the exception of|distint[oa]s? (?:a|de) la|other than|\bnon-)[^.;\n]{0,80}$"
)
_NEGATION_AFTER = re.compile(
    r"[^.;\n]{0,60}?\b(?:are not eligible|is not eligible|not eligible|cannot apply|can not apply"
    r"|may not apply"
    r"|are excluded|no son elegibles|no es elegible|no pueden (?:postular|participar|aplicar)|no podran"
    r"|quedan excluid\w+|estan excluid\w+)"
)
# "Universidad Nacional de Colombia", "Fulbright Colombia": Colombia in a name says nothing about who applies
_ORG_BEFORE = re.compile(
    r"\b(?:universidad|university|fundacion|foundation|embajada|embassy|banco|bank|comision|commission|fulbright"
    r"|ministerio|ministry|delegacion|delegation|oficina|office|camara|chamber|agencia|agency|instituto"
    r"|institute|colegio|corporacion)\b(?:\s+\S+){0,4}\s+$"
)
_BUT = re.compile(r"\b(?:but|pero|however|sin embargo|mientras|whereas|while|aunque|although)\b")
# "except Brazil, including Colombia": an inclusion after the exception ends its scope
_INCLUDED = re.compile(
    r"\b(?:including|incluid[oa]s?|incluyendo|inclusive|as well as|asi como|are eligible|is eligible"
    r"|son elegibles|es elegible|pueden (?:postular|participar|aplicar)|can apply|may apply)\b"
)
_NOT_BEFORE = re.compile(r"\b(?:not|no|non-?)\s*$")
# "estudiar en Colombia", "travel to Colombia": Colombia as the destination says nothing about who applies
_DESTINATION = re.compile(
    r"\b(?:estudi\w*|study\w*|cursar|pursue|trabaj\w*|work\w*|viaj\w*|travel\w*|visit\w*|vivir|live"
    r"|realizar\w*|hosted|llevar a cabo|se realizara|tendra lugar|take place|held|asistir\w*|attend\w*"
    r"|taller\w*|workshops?|cursos?|courses?|eventos?|events?|conferencias?|conferences?|meetings?|reuni\w+"
    r"|encuentros?|ceremon\w+|misi\w+|missions?)"
    r"(?:\s+[\w'-]+){0,3}?"
    r"\s+(?:en|in|to|a)\s+$"
)
# "developing countries in Africa": a region that narrows the countries named before it
_NARROWED = re.compile(
    r"\s*(?:,\s*)?(?:in|of|from|en|de|del)\s+(?:the\s+|la\s+|el\s+)?(?:sub-saharan\s+|subsahariana\s+)?"
    r"(?:africa|asia|europ\w*|the pacific|el pacifico|oceania|the middle east|oriente medio|medio oriente"
    r"|the commonwealth|la commonwealth|southeast asia|sudeste asiatico|the caribbean|el caribe)\b"
)
_RESIDENCE = re.compile(
    r"\b(?:resident|residents|residing|living|based|registered|established|residentes?|residir|radicad[oa]s?"
    r"|domiciliad[oa]s?|con sede|establecid[oa]s?)\s+(?:in|en)\s+(?:the\s+|el\s+|la\s+)?"
)
_EUROPE = re.compile(r"europ\w*\b|(?:the\s+)?(?:eu|ue)\b|union europea|european union")
_COLOMBIANS_TOO = re.compile(r"(?<!no )(?<!non-)(?<!a la )(?<!than )colombian(?:o|a|os|as|s)?\b")
_HEADING = re.compile(r"^[\W\d_]*colombia[\W\d_]*$")
_FOREIGNERS = re.compile(r"extranjer[oa]s|foreign(?:ers| nationals| students)|international students")
_NEAR = 150  # a restriction and the group it names, in this many characters of one sentence


@dataclass(frozen=True)
class EligibilityResult:
    verdict: Eligibility = Eligibility.SIN_DATO
    sentence: str | None = None
    confidence: float = 0.0
    scope: list[tuple[int, int]] = field(default_factory=list)  # sentences naming eligible countries
    reasons: list[str] = field(default_factory=list)


def assess_eligibility(doc: Doc, colombian_funder_at: int | None) -> EligibilityResult:
    """The verdict with its sentence; `colombian_funder_at` is where a Colombian funder is named, if any."""
    if not doc.sentences:
        return EligibilityResult()
    where: dict[str, list[tuple[int, int, int]]] = {}
    for kind, start, end in _LEXICON.find(doc):
        where.setdefault(kind, []).append((doc.sentence_index(start), start, end))

    def first(kind: str, within: set[int] | None = None) -> list[tuple[int, int]]:
        """(sentence, position) of each sentence with a `kind` signal, first signal per sentence."""
        found: dict[int, int] = {}
        for i, pos, _ in where.get(kind, []):
            if within is None or i in within:
                found.setdefault(i, pos)
        return sorted(found.items())

    cue = {i for i, _ in first("cue")} | _listed_after(doc, where.get("cue", []))
    negated = sorted(
        (i, pos)
        for i, pos, end in where.get("colombia", []) + where.get("demonym", [])
        if _negated(doc, doc.sentences[i][0], pos, end)
    )
    in_names = {
        pos for _, pos, _ in where.get("colombia", []) if _ORG_BEFORE.search(doc.low, max(0, pos - 70), pos)
    }
    in_names |= {
        pos for _, pos, _ in where.get("colombia", []) if _DESTINATION.search(doc.low, max(0, pos - 70), pos)
    }
    where["colombia"] = [hit for hit in where.get("colombia", []) if hit[1] not in in_names]
    where["world"] = [hit for hit in where.get("world", []) if not _NARROWED.match(doc.low, hit[2])]
    named = sorted(dict(first("demonym") + first("colombia", cue)).items())
    latam = first("latam", cue)
    world = first("world", cue)
    no = sorted(
        {
            (i, rs)
            for i, rs, re_ in where.get("restrict", [])
            for j, gs, ge in where.get("group", [])
            if i == j and (rs <= gs <= re_ + _NEAR or gs <= rs <= ge + _NEAR // 2)
        }
    )
    listed = _restricted_to_other_countries(doc, {i for i, _ in first("only")} & cue)
    regions = [doc.sentences[i] for i, _ in latam]

    def verdict(value: Eligibility, hit: tuple[int, int], confidence: float) -> EligibilityResult:
        scope = [doc.sentences[hit[0]], *(regions if value == Eligibility.SI else [])]
        return EligibilityResult(value, doc.sentence_at(hit[1]), confidence, scope)

    if negated:
        return verdict(Eligibility.NO, negated[0], 0.85)
    foreigners = _foreigners_only(doc, colombian_funder_at)
    if foreigners is not None:
        return verdict(Eligibility.NO, foreigners, 0.75)
    if named:
        return verdict(Eligibility.SI, named[0], 0.85)
    nationality = _nationality(doc, cue)
    elsewhere = {i for i, _ in latam + world if _resident_elsewhere(doc, i)}
    if elsewhere:  # "artistas latinoamericanos residentes en Europa": the region is not the whole story
        return EligibilityResult(reasons=["elegibilidad en conflicto"])
    if latam and not nationality:
        return verdict(Eligibility.SI, latam[0], 0.8)
    if (no or listed or nationality) and (world or latam):
        return EligibilityResult(reasons=["elegibilidad en conflicto"])
    if no:
        return verdict(Eligibility.NO, no[0], 0.75)
    if nationality is not None:
        return verdict(Eligibility.NO, nationality, 0.7)
    if listed:
        return verdict(Eligibility.NO, listed[0], 0.65)
    if world:
        return verdict(Eligibility.SI, world[0], 0.7)
    heading = _heading(doc)
    if heading is not None:
        return verdict(Eligibility.SI, (doc.sentence_index(heading), heading), 0.6)
    if colombian_funder_at is not None and not _FOREIGNERS.search(doc.low):
        return verdict(Eligibility.SI, (doc.sentence_index(colombian_funder_at), colombian_funder_at), 0.6)
    return EligibilityResult()


def _negated(doc: Doc, sentence_start: int, start: int, end: int) -> bool:
    """A negated mention ("except Colombia", "Colombians are not eligible"), not across a "but"
    ("EU citizens are not eligible, but Colombians can apply")."""
    before = _NEGATION.search(doc.low, sentence_start, start)
    after = _NEGATION_AFTER.match(doc.low, end)
    if after and _NOT_BEFORE.search(doc.low, max(0, start - 8), start):
        return False  # "who are not Colombian citizens cannot apply": a double negation requires Colombians
    between = doc.low[before.start() : start] if before else doc.low[end : after.end()] if after else ""
    return bool(between) and not _BUT.search(between) and not (before and _INCLUDED.search(between))


def _restricted_to_other_countries(doc: Doc, restrictive: set[int]) -> list[tuple[int, int]]:
    """Sentences that limit applicants to named countries or regions, none of which includes Colombia
    ("only open to citizens of Kenya and Uganda"). A list cut off by the end of the text does not count."""
    out = []
    for i in sorted(restrictive):
        if i == len(doc.sentences) - 1 and not doc.raw.rstrip().endswith((".", "!", "?", ")")):
            continue
        s, e = doc.sentences[i]
        named = {name for name, _, _ in COUNTRIES.find(doc, s, e)}
        if named and not named & INCLUDES_COLOMBIA:
            out.append((i, s))
    return out


def _resident_elsewhere(doc: Doc, i: int) -> bool:
    """Sentence `i` requires residence or registration in named places, none of which includes Colombia."""
    s, e = doc.sentences[i]
    for m in _RESIDENCE.finditer(doc.low, s, e):
        if _EUROPE.match(doc.low, m.end()):
            return True
        named = {name for name, _, _ in COUNTRIES.find(doc, m.end(), min(e, m.end() + 40))}
        if named and not named & INCLUDES_COLOMBIA:
            return True
    return False


def _heading(doc: Doc) -> int | None:
    """A call made for Colombia: a heading line near the top that is only "Colombia" (and a year)."""
    for s, e in doc.lines[:15]:
        if _HEADING.match(doc.low[s:e]):
            return s
    return None


def _listed_after(doc: Doc, cues: list[tuple[int, int, int]]) -> set[int]:
    """The sentences of a list a cue introduces with a colon on its line ("resident of an eligible country:
    Armenia; Bolivia; Colombia; …"): the list belongs to the cue's sentence. One range per line."""
    first: dict[int, int] = {}  # line -> the sentence of its first cue followed by a colon
    for i, start, end in cues:
        li = doc.line_index(start)
        if li not in first and doc.low.find(":", end, doc.lines[li][1]) >= 0:
            first[li] = i
    out: set[int] = set()
    for li, i in first.items():
        out.update(range(i, doc.sentence_index(doc.lines[li][1] - 1) + 1))
    return out


def _nationality(doc: Doc, cue: set[int]) -> tuple[int, int] | None:
    """A required nationality other than Colombian: stated as a requirement anywhere ("Tener nacionalidad
    mexicana", "Chilean nationals"), or as the people a sentence about applicants names ("para jóvenes
    españoles y portugueses"). An excluded nationality ("British citizens are not eligible") is none."""
    hits = [(m.start(), m.end(), True) for m in NATIONALITY.finditer(doc.low)]
    hits += [(m.start(), m.end(), False) for m in NATIONAL_PEOPLE.finditer(doc.low)]
    for start, end, anywhere in sorted(hits):
        i = doc.sentence_index(start)
        if "colombian" in doc.low[max(0, start - 25) : start]:  # "Colombian and Mexican nationals"
            continue
        if _negated(doc, doc.sentences[i][0], start, end):  # "British citizens are not eligible": excluded
            continue
        if anywhere or i in cue:
            return (i, start)
    return None


def _foreigners_only(doc: Doc, colombian_funder_at: int | None) -> tuple[int, int] | None:
    """A Colombian call for foreigners only (a Colombian funder, or Colombia named in the same sentence), or
    any call for nationalities other than Colombian."""
    for m in FOREIGNERS_ONLY.finditer(doc.low):
        if _COLOMBIANS_TOO.search(m.group(0)):  # "para colombianos y extranjeros": both
            continue
        s, e = doc.sentence_span(m.start())
        if colombian_funder_at is not None or "colombia" in doc.low[s:e] or "colombian" in m.group(0):
            return (doc.sentence_index(m.start()), m.start())
    return None
