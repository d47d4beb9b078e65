"""The offline enrichment: every rule of this package applied to one call, with the source sentence of each
extracted field and the reasons a curator must look at it. Pure and deterministic: no I/O, no model."""

from dataclasses import dataclass, field
from datetime import date

from boi_enrich.domain import facets, logistics
from boi_enrich.domain.amounts import AmountResult, find_amount
from boi_enrich.domain.call_type import TypeResult, classify
from boi_enrich.domain.countries import COUNTRIES
from boi_enrich.domain.deadlines import DeadlineResult, extract_deadline
from boi_enrich.domain.eligibility import EligibilityResult, assess_eligibility
from boi_enrich.domain.facets import Found
from boi_enrich.domain.funder import FunderResult, find_funder
from boi_enrich.domain.injection import REASON as INJECTION_REASON
from boi_enrich.domain.injection import injected_spans
from boi_enrich.domain.summary import facts_sentence, summarize, title_es
from boi_enrich.domain.text import Doc
from boi_shared.events import Enrichment, Evidence, RawCall
from boi_shared.taxonomy import TAXONOMY_VERSION, Audience, Eligibility, Modality

PROVIDER = "local"
_SURE = 0.7  # below this, a key field sends the call to review


@dataclass
class _Draft:
    """What the steps gather: the source sentence of each field, and the reasons for review in order."""

    evidence: dict[str, Evidence] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def cite(self, name: str, sentence: str, confidence: float) -> None:
        self.evidence[name] = Evidence(sentence=sentence, confidence=confidence)


@dataclass(frozen=True)
class _Facets:
    sectors: Found
    ods: list[int]
    audience: Found
    documents: Found
    modality: Modality | None


def enrich_local(call: RawCall, reference: date | None = None) -> Enrichment:
    """Enrich one call. `reference` resolves dates written without a year; by default the call's
    publication date (so a replay reads the same text the same way)."""
    if reference is None and call.published_at is not None:
        reference = call.published_at.date()
    source = Doc(f"{call.title}\n{call.text}")
    injected = injected_spans(source)
    doc = source.mask(injected) if injected else source
    lang = (call.language or facets.language(doc) or "")[:2].lower() or None
    english = lang == "en"
    draft = _Draft(reasons=[INJECTION_REASON] if injected else [])
    kind = _call_type(doc, english, draft)
    dates = _dates(doc, english, reference, draft)
    funder = _funder(doc, call.url, english, draft)
    eligible, countries = _eligibility(source, doc, funder, draft)
    amount = _amount(doc, draft)
    found = _facets(doc, draft)
    if lang != "es":
        draft.reasons.append("resumen no traducido")
    named_funder = funder.name if funder.confidence >= 0.5 else None
    facts = facts_sentence(kind.call_type, named_funder, dates.deadline, eligible.verdict)
    return Enrichment(
        taxonomy_version=TAXONOMY_VERSION,
        provider=PROVIDER,
        title_es=title_es(call.title, kind.call_type, named_funder),
        summary_es=summarize(doc, facts),
        call_type=kind.call_type,
        sectors=found.sectors.values,
        ods=found.ods,
        audience=[Audience(a) for a in found.audience.values],
        modality=found.modality,
        countries=countries,
        colombia_eligible=eligible.verdict,
        deadline=dates.deadline,
        deadline_tz=dates.deadline_tz,
        opening_date=dates.opening,
        amount=amount.amount,
        currency=amount.currency,
        funder=funder.name,
        required_documents=found.documents.values,
        language=lang,
        evidence=draft.evidence,
        needs_review=bool(draft.reasons),
        review_reasons=list(dict.fromkeys(draft.reasons)),
    )


def _call_type(doc: Doc, english: bool, draft: _Draft) -> TypeResult:
    kind = classify(doc, english)
    if kind.call_type and kind.sentence:
        draft.cite("call_type", kind.sentence, kind.confidence)
    if kind.call_type is None:
        draft.reasons.append("tipo de convocatoria no identificado")
    elif kind.confidence < _SURE:
        draft.reasons.append("tipo de convocatoria incierto")
    return kind


def _dates(doc: Doc, english: bool, reference: date | None, draft: _Draft) -> DeadlineResult:
    dates = extract_deadline(doc, english, reference)
    draft.evidence |= dates.evidence
    draft.reasons += dates.reasons
    if dates.deadline and draft.evidence["deadline"].confidence < _SURE:
        draft.reasons.append("fecha de cierre con baja confianza")
    return dates


def _funder(doc: Doc, url: str, english: bool, draft: _Draft) -> FunderResult:
    funder = find_funder(doc, url, english)
    if funder.name and funder.sentence:
        draft.cite("funder", funder.sentence, funder.confidence)
        if funder.confidence <= 0.3:
            draft.reasons.append("entidad deducida del dominio de la URL")
    return funder


def _eligibility(
    source: Doc, doc: Doc, funder: FunderResult, draft: _Draft
) -> tuple[EligibilityResult, list[str]]:
    """The Colombia verdict, and the countries named where it was decided (read in the unmasked text)."""
    eligible = assess_eligibility(doc, funder.colombian_at)
    draft.reasons += eligible.reasons
    countries: list[str] = []
    if eligible.verdict != Eligibility.SIN_DATO and eligible.sentence:
        draft.cite("colombia_eligible", eligible.sentence, eligible.confidence)
        scope = Doc(" ".join(source.raw[s:e] for s, e in eligible.scope))
        countries = facets.find_all(scope, COUNTRIES, 12).values
        if countries:
            draft.cite("countries", eligible.sentence, eligible.confidence)
        if eligible.confidence < _SURE:
            draft.reasons.append("elegibilidad para Colombia con baja confianza")
    elif "elegibilidad en conflicto" not in draft.reasons:
        draft.reasons.append("elegibilidad para Colombia sin dato")
    return eligible, countries


def _amount(doc: Doc, draft: _Draft) -> AmountResult:
    amount = find_amount(doc)
    if amount.amount is not None and amount.sentence:
        draft.cite("amount", amount.sentence, amount.confidence)
        if amount.currency:
            draft.cite("currency", amount.sentence, amount.confidence)
    return amount


def _facets(doc: Doc, draft: _Draft) -> _Facets:
    """Sectors, ODS, audience, required documents and modality, each with the sentence it came from."""
    sectors = facets.find_all(doc, facets.SECTORS, 4)
    ods = facets.ods_for(doc, sectors.values)
    audience = facets.find_all(doc, facets.AUDIENCES, 4, need=facets.TARGET)
    documents = facets.find_all(doc, logistics.DOCUMENTS, 12)
    modality, modality_sentence = logistics.modality(doc)
    for name, found, confidence in (
        ("sectors", sectors, 0.5),
        ("ods", sectors if ods else Found([], None), 0.4),
        ("audience", audience, 0.5),
        ("required_documents", documents, 0.6),
        ("modality", Found([modality] if modality else [], modality_sentence), 0.6),
    ):
        if found.values and found.sentence:
            draft.cite(name, found.sentence, confidence)
    return _Facets(sectors, ods, audience, documents, modality)
