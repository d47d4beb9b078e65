"""Can people or entities of Colombia apply? "si" only on words that include Colombia (Colombia or
Colombians named as eligible, Latin America, the whole world, developing countries, a Colombian programme);
"no" only on words that restrict the call to a group without Colombia; otherwise "sin_dato". A wrong yes or
no hurts more than "sin_dato", so conflicting signals give "sin_dato" and a review reason."""

import re
from dataclasses import dataclass, field

from boi_enrich.domain.countries import COUNTRIES, INCLUDES_COLOMBIA
from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Eligibility

_SIGNALS: tuple[tuple[str, str], ...] = (
    # words that make a sentence about who can apply
    (
        "cue",
        r"elegib\w*|eligib\w*|pueden (?:postular|aplicar|participar|presentar|solicitar|ser)\w*|podran "
        r"(?:postular|participar|presentar|aplicar|solicitar|ser)\w*|dirigid[oa]s? a\b|abiert[oa]s? a\b"
        r"|open to\b"
        r"|can apply|may apply|can be from|are welcome|nacional(?:es|idad)?\b|ciudadan\w*|citizens?\b"
        r"|nationals?\b|residentes?\b|residents?\b|based in\b|located in\b|radicad\w*|con sede en"
        r"|incluid[oa]\b"
        r"|including\b|incluyendo\b|para (?:jovenes|estudiantes|profesionales|personas|organizaciones"
        r"|entidades"
        r"|funcionari\w*)|seleccionad\w*|selected\b|available to\b|disponibles? para|addressed to"
        r"|destinatari\w*"
        r"|beneficiari\w*|candidat[oa]s? de\b|applicants? from|only support",
    ),
    (
        "demonym",
        r"colombian[oa]s\b|bogotan[oa]s\b|ser colombian[oa]\b|nacionalidad colombiana\b|colombians\b"
        r"|colombian "
        r"(?:citizens|nationals|students|researchers|applicants|professionals|organi[sz]ations|entities"
        r"|institutions|universities|women|youth|artists|residents)\b",
    ),
    ("colombia", r"colombia\b|bogota\b"),
    (
        "latam",
        r"america latina|latinoamerica\w*|latin america\w*|iberoameric\w*|las americas|the americas"
        r"|south america|sudamerica|suramerica|americas del sur|lac\b|region andina|andean"
        r"|alianza del pacifico"
        r"|pacific alliance",
    ),
    (
        "world",
        r"todo el mundo|cualquier (?:pais|nacionalidad)|todas las nacionalidades|todos los paises"
        r"|all countries|all nationalities|any (?:country|nationality)|anywhere in the world"
        r"|all over the world"
        r"|around the world|every part of the world|from all countries|nacionalidad \w+ o extranjera"
        r"|sin restriccion de nacionalidad|regardless of (?:their )?nationality"
        r"|independientemente de (?:su )?"
        r"nacionalidad|developing countries|paises en (?:via de )?desarrollo|low- and middle-income|lmics?\b"
        r"|global south|sur global|dac list|oda[- ]eligible|lista del cad",
    ),
    (
        "only",
        r"solo\b|solamente|unicamente|exclusivamente|only\b|exclusively|solely|restricted to|limited to"
        r"|reservad[oa]s? a\b",
    ),
    (
        "restrict",
        r"solo\b|solamente|unicamente|exclusivamente|only\b|exclusively|solely|restricted to"
        r"|limited to|reservad[oa]s? a\b|must be|deben ser|debe ser|tener la nacionalidad"
        r"|poseer la nacionalidad"
        r"|ser de nacionalidad|ser ciudadan|para ciudadanos|for citizens|open to\b|abiert[oa] a\b"
        r"|addressed to"
        r"|dirigid[oa]s? a\b|can apply|pueden (?:postular|participar|solicitar)|podran (?:postular"
        r"|participar)"
        r"|are eligible|entidades beneficiarias|inscrit[oa]s en|registered in|established in|con sede en"
        r"|radicad[oa]s en|domiciliad[oa]s en",
    ),
    (
        "group",
        r"nacionalidad espanola\b(?! o extranjer| u otra)|espanol(?:es|as)\b(?! o extranjer| y )"
        r"|spanish (?:citizens|nationals)|union europea|european union"
        r"|eu\b|eea\b|espacio economico europeo|estados miembros de la (?:ue|union)|commonwealth\b"
        r"|u\.?s\.? citizens|citizens of the united states|united states citizens"
        r"|permanent residents? of the "
        r"(?:u\.?s\.?|united states)|estadounidenses|african (?:nationals|citizens|countries)"
        r"|nacionales africanos|sub-saharan|subsahariana|canadian (?:citizens|residents)"
        r"|uk (?:citizens|nationals|residents)|british (?:citizens|nationals|residents)"
        r"|australian (?:citizens|residents)"
        r"|least developed countries|paises menos adelantados|enterprise europe network|registro (?:gallego"
        r"|vasco"
        r"|andaluz|catalan|valenciano|canario|aragones|asturiano|navarro|extremeno|balear|murciano|cantabro"
        r"|madrileno)",
    ),
)
_LEXICON: Lexicon[str] = Lexicon(_SIGNALS, tail="")
_NEGATION = re.compile(
    r"(?:\bexcept\w*|\bexcepto\b|\bsalvo\b|\bexclud\w+|\bexcluy\w+|\bexcluid\w+|not eligible|no (?:son"
    r"|es) elegible"
    r"|no pueden|no podran|unable to fund|do not fund|no financia\w*|ineligible)[^.;\n]{0,80}$"
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

    cue = {i for i, _ in first("cue")}
    negated = sorted(
        (i, pos)
        for i, pos, end in where.get("colombia", []) + where.get("demonym", [])
        if _negated(doc, doc.sentences[i][0], pos, end)
    )
    in_names = {
        pos for _, pos, _ in where.get("colombia", []) if _ORG_BEFORE.search(doc.low, max(0, pos - 70), pos)
    }
    where["colombia"] = [hit for hit in where.get("colombia", []) if hit[1] not in in_names]
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
    if named:
        return verdict(Eligibility.SI, named[0], 0.85)
    if latam:
        return verdict(Eligibility.SI, latam[0], 0.8)
    if (no or listed) and world:
        return EligibilityResult(reasons=["elegibilidad en conflicto"])
    if no:
        return verdict(Eligibility.NO, no[0], 0.75)
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
    between = doc.low[before.start() : start] if before else doc.low[end : after.end()] if after else ""
    return bool(between) and not _BUT.search(between)


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


def _heading(doc: Doc) -> int | None:
    """A call made for Colombia: a heading line near the top that is only "Colombia" (and a year)."""
    for s, e in doc.lines[:15]:
        if _HEADING.match(doc.low[s:e]):
            return s
    return None
