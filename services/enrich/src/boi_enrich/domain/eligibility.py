"""Can people or entities of Colombia apply? "si" only on words that include Colombia (Colombia or
Colombians named as eligible, Latin America, the whole world, developing countries, a Colombian programme);
"no" only on words that restrict the call to a group without Colombia; otherwise "sin_dato". A wrong yes or
no hurts more than "sin_dato", so conflicting signals give "sin_dato" and a review reason."""

from dataclasses import dataclass, field

from boi_enrich.domain import eligibility_terms as terms
from boi_enrich.domain.countries import COUNTRIES, INCLUDES_COLOMBIA
from boi_enrich.domain.lexicon import Lexicon
from boi_enrich.domain.text import Doc
from boi_shared.taxonomy import Eligibility

_LEXICON: Lexicon[str] = Lexicon(terms.SIGNALS, tail="")
_NEAR = 150  # a restriction and the group it names, in this many characters of one sentence


@dataclass(frozen=True)
class EligibilityResult:
    verdict: Eligibility = Eligibility.SIN_DATO
    sentence: str | None = None
    confidence: float = 0.0
    scope: list[tuple[int, int]] = field(default_factory=list)  # sentences naming eligible countries
    reasons: list[str] = field(default_factory=list)


Hit = tuple[int, int]  # (sentence index, position in the text)


@dataclass(frozen=True)
class _Signals:
    """What the text says about who may apply, as the first hit of each sentence that says it."""

    cue: set[int]  # sentences about applicants (and the lists they introduce)
    negated: list[Hit]  # Colombia or Colombians excluded
    named: list[Hit]  # Colombia or Colombians named among the applicants
    latam: list[Hit]  # a region that includes Colombia
    world: list[Hit]  # the whole world, any nationality
    restricted: list[Hit]  # a restriction to a group without Colombia
    listed: list[Hit]  # applicants limited to named countries, none of them Colombia

    @property
    def regions(self) -> list[Hit]:
        return self.latam + self.world


def assess_eligibility(doc: Doc, colombian_funder_at: int | None) -> EligibilityResult:
    """The verdict with its sentence; `colombian_funder_at` is where a Colombian funder is named, if any.

    The rules apply in order of how much a wrong answer would cost: what the text says about Colombia itself,
    then regions and restrictions, then what the context suggests."""
    if not doc.sentences:
        return EligibilityResult()
    signals = _signals(doc)
    return (
        _stated_for_colombia(doc, signals, colombian_funder_at)
        or _from_regions_and_limits(doc, signals)
        or _from_context(doc, signals, colombian_funder_at)
        or EligibilityResult()
    )


def _hits(doc: Doc) -> dict[str, list[tuple[int, int, int]]]:
    """(sentence, start, end) of every signal, by kind."""
    where: dict[str, list[tuple[int, int, int]]] = {}
    for kind, start, end in _LEXICON.find(doc):
        where.setdefault(kind, []).append((doc.sentence_index(start), start, end))
    return where


def _first(hits: list[tuple[int, int, int]], within: set[int] | None = None) -> list[Hit]:
    """(sentence, position) of each sentence with a hit, the first hit per sentence."""
    found: dict[int, int] = {}
    for i, pos, _ in hits:
        if within is None or i in within:
            found.setdefault(i, pos)
    return sorted(found.items())


def _signals(doc: Doc) -> _Signals:
    where = _hits(doc)
    cue = {i for i, _ in _first(where.get("cue", []))} | _listed_after(doc, where.get("cue", []))
    negated = sorted(
        (i, pos)
        for i, pos, end in where.get("colombia", []) + where.get("demonym", [])
        if _negated(doc, doc.sentences[i][0], pos, end)
    )
    colombia = [hit for hit in where.get("colombia", []) if not _names_no_applicant(doc, hit[1])]
    world = [hit for hit in where.get("world", []) if not terms.NARROWED.match(doc.low, hit[2])]
    return _Signals(
        cue=cue,
        negated=negated,
        named=sorted(dict(_first(where.get("demonym", [])) + _first(colombia, cue)).items()),
        latam=_first(where.get("latam", []), cue),
        world=_first(world, cue),
        restricted=_restrictions(where),
        listed=_restricted_to_other_countries(doc, {i for i, _ in _first(where.get("only", []))} & cue),
    )


def _names_no_applicant(doc: Doc, pos: int) -> bool:
    """Colombia in a name ("Universidad Nacional de Colombia") or as the destination ("study in Colombia")."""
    return bool(
        terms.ORG_BEFORE.search(doc.low, max(0, pos - 70), pos)
        or terms.DESTINATION.search(doc.low, max(0, pos - 70), pos)
    )


def _restrictions(where: dict[str, list[tuple[int, int, int]]]) -> list[Hit]:
    """A restriction and a group it names, close together in one sentence ("only for EU citizens")."""
    return sorted(
        {
            (i, rs)
            for i, rs, re_ in where.get("restrict", [])
            for j, gs, ge in where.get("group", [])
            if i == j and (rs <= gs <= re_ + _NEAR or gs <= rs <= ge + _NEAR // 2)
        }
    )


def _verdict(
    doc: Doc, signals: _Signals, value: Eligibility, hit: Hit, confidence: float
) -> EligibilityResult:
    """The verdict quoting the sentence of `hit`; a yes also scopes the regions that include Colombia."""
    regions = [doc.sentences[i] for i, _ in signals.latam] if value == Eligibility.SI else []
    return EligibilityResult(value, doc.sentence_at(hit[1]), confidence, [doc.sentences[hit[0]], *regions])


def _stated_for_colombia(
    doc: Doc, signals: _Signals, colombian_funder_at: int | None
) -> EligibilityResult | None:
    """Colombia excluded, a call for foreigners only, or Colombia named among the applicants."""
    if signals.negated:
        return _verdict(doc, signals, Eligibility.NO, signals.negated[0], 0.85)
    foreigners = _foreigners_only(doc, colombian_funder_at)
    if foreigners is not None:
        return _verdict(doc, signals, Eligibility.NO, foreigners, 0.75)
    if signals.named:
        return _verdict(doc, signals, Eligibility.SI, signals.named[0], 0.85)
    return None


def _from_regions_and_limits(doc: Doc, signals: _Signals) -> EligibilityResult | None:
    """A region that includes Colombia against a nationality, residence or restriction that leaves it out:
    either alone decides, both together are a conflict for a curator."""
    nationality = _nationality(doc, signals.cue)
    if any(_resident_elsewhere(doc, i) for i, _ in signals.regions):
        # "artistas latinoamericanos residentes en Europa": the region is not the whole story
        return EligibilityResult(reasons=["elegibilidad en conflicto"])
    if signals.latam and not nationality:
        return _verdict(doc, signals, Eligibility.SI, signals.latam[0], 0.8)
    if (signals.restricted or signals.listed or nationality) and signals.regions:
        return EligibilityResult(reasons=["elegibilidad en conflicto"])
    if signals.restricted:
        return _verdict(doc, signals, Eligibility.NO, signals.restricted[0], 0.75)
    if nationality is not None:
        return _verdict(doc, signals, Eligibility.NO, nationality, 0.7)
    if signals.listed:
        return _verdict(doc, signals, Eligibility.NO, signals.listed[0], 0.65)
    if signals.world:
        return _verdict(doc, signals, Eligibility.SI, signals.world[0], 0.7)
    return None


def _from_context(doc: Doc, signals: _Signals, colombian_funder_at: int | None) -> EligibilityResult | None:
    """A call made for Colombia: a "Colombia" heading, or a Colombian funder that names no foreigners."""
    heading = _heading(doc)
    if heading is not None:
        return _verdict(doc, signals, Eligibility.SI, (doc.sentence_index(heading), heading), 0.6)
    if colombian_funder_at is not None and not terms.FOREIGNERS.search(doc.low):
        hit = (doc.sentence_index(colombian_funder_at), colombian_funder_at)
        return _verdict(doc, signals, Eligibility.SI, hit, 0.6)
    return None


def _negated(doc: Doc, sentence_start: int, start: int, end: int) -> bool:
    """A negated mention ("except Colombia", "Colombians are not eligible"), not across a "but"
    ("EU citizens are not eligible, but Colombians can apply")."""
    before = terms.NEGATION.search(doc.low, sentence_start, start)
    after = terms.NEGATION_AFTER.match(doc.low, end)
    if after and terms.NOT_BEFORE.search(doc.low, max(0, start - 8), start):
        return False  # "who are not Colombian citizens cannot apply": a double negation requires Colombians
    between = doc.low[before.start() : start] if before else doc.low[end : after.end()] if after else ""
    return bool(between) and not terms.BUT.search(between) and not (before and terms.INCLUDED.search(between))


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
    for m in terms.RESIDENCE.finditer(doc.low, s, e):
        if terms.EUROPE.match(doc.low, m.end()):
            return True
        named = {name for name, _, _ in COUNTRIES.find(doc, m.end(), min(e, m.end() + 40))}
        if named and not named & INCLUDES_COLOMBIA:
            return True
    return False


def _heading(doc: Doc) -> int | None:
    """A call made for Colombia: a heading line near the top that is only "Colombia" (and a year)."""
    for s, e in doc.lines[:15]:
        if terms.HEADING.match(doc.low[s:e]):
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
    hits = [(m.start(), m.end(), True) for m in terms.NATIONALITY.finditer(doc.low)]
    hits += [(m.start(), m.end(), False) for m in terms.NATIONAL_PEOPLE.finditer(doc.low)]
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
    for m in terms.FOREIGNERS_ONLY.finditer(doc.low):
        if terms.COLOMBIANS_TOO.search(m.group(0)):  # "para colombianos y extranjeros": both
            continue
        s, e = doc.sentence_span(m.start())
        if colombian_funder_at is not None or "colombia" in doc.low[s:e] or "colombian" in m.group(0):
            return (doc.sentence_index(m.start()), m.start())
    return None
