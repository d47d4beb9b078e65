"""The offline enrichment: every rule of this package applied to one call, with the source sentence of each
extracted field and the reasons a curator must look at it. Pure and deterministic: no I/O, no model."""

from datetime import date

from boi_enrich.domain import facets, logistics
from boi_enrich.domain.amounts import find_amount
from boi_enrich.domain.call_type import classify
from boi_enrich.domain.countries import COUNTRIES
from boi_enrich.domain.deadlines import extract_deadline
from boi_enrich.domain.eligibility import assess_eligibility
from boi_enrich.domain.funder import find_funder
from boi_enrich.domain.injection import REASON as INJECTION_REASON
from boi_enrich.domain.injection import injected_spans
from boi_enrich.domain.summary import facts_sentence, summarize, title_es
from boi_enrich.domain.text import Doc
from boi_shared.events import Enrichment, Evidence, RawCall
from boi_shared.taxonomy import TAXONOMY_VERSION, Audience, Eligibility

PROVIDER = "local"
_SURE = 0.7  # below this, a key field sends the call to review


def enrich_local(call: RawCall, reference: date | None = None) -> Enrichment:
    """Enrich one call; `reference` (the publication date) resolves dates written without a year."""
    source = Doc(f"{call.title}\n{call.text}")
    injected = injected_spans(source)
    doc = source.mask(injected) if injected else source
    lang = (call.language or facets.language(doc) or "")[:2].lower() or None
    reasons: list[str] = [INJECTION_REASON] if injected else []
    evidence: dict[str, Evidence] = {}

    kind = classify(doc, lang == "en")
    if kind.call_type and kind.sentence:
        evidence["call_type"] = Evidence(sentence=kind.sentence, confidence=kind.confidence)
    if kind.call_type is None:
        reasons.append("tipo de convocatoria no identificado")
    elif kind.confidence < _SURE:
        reasons.append("tipo de convocatoria incierto")

    dates = extract_deadline(doc, lang == "en", reference)
    evidence |= dates.evidence
    reasons += dates.reasons
    if dates.deadline and evidence["deadline"].confidence < _SURE:
        reasons.append("fecha de cierre con baja confianza")

    funder = find_funder(doc, call.url, lang == "en")
    if funder.name and funder.sentence:
        evidence["funder"] = Evidence(sentence=funder.sentence, confidence=funder.confidence)
        if funder.confidence <= 0.3:
            reasons.append("entidad deducida del dominio de la URL")

    eligible = assess_eligibility(doc, funder.colombian_at)
    reasons += eligible.reasons
    countries: list[str] = []
    if eligible.verdict != Eligibility.SIN_DATO and eligible.sentence:
        evidence["colombia_eligible"] = Evidence(sentence=eligible.sentence, confidence=eligible.confidence)
        scope = Doc(" ".join(source.raw[s:e] for s, e in eligible.scope))
        countries = facets.find_all(scope, COUNTRIES, 12).values
        if countries:
            evidence["countries"] = Evidence(sentence=eligible.sentence, confidence=eligible.confidence)
        if eligible.confidence < _SURE:
            reasons.append("elegibilidad para Colombia con baja confianza")
    elif "elegibilidad en conflicto" not in reasons:
        reasons.append("elegibilidad para Colombia sin dato")

    amount = find_amount(doc)
    if amount.amount is not None and amount.sentence:
        evidence["amount"] = Evidence(sentence=amount.sentence, confidence=amount.confidence)
        if amount.currency:
            evidence["currency"] = Evidence(sentence=amount.sentence, confidence=amount.confidence)

    sectors = facets.find_all(doc, facets.SECTORS, 4)
    ods = facets.ods_for(doc, sectors.values)
    audience = facets.find_all(doc, facets.AUDIENCES, 4, need=facets.TARGET)
    documents = facets.find_all(doc, logistics.DOCUMENTS, 12)
    modality, modality_sentence = logistics.modality(doc)
    for field, found, confidence in (
        ("sectors", sectors, 0.5),
        ("ods", sectors if ods else facets.Found([], None), 0.4),
        ("audience", audience, 0.5),
        ("required_documents", documents, 0.6),
        ("modality", facets.Found([modality] if modality else [], modality_sentence), 0.6),
    ):
        if found.values and found.sentence:
            evidence[field] = Evidence(sentence=found.sentence, confidence=confidence)

    if lang != "es":
        reasons.append("resumen no traducido")
    named_funder = funder.name if funder.confidence >= 0.5 else None
    facts = facts_sentence(kind.call_type, named_funder, dates.deadline, eligible.verdict)
    return Enrichment(
        taxonomy_version=TAXONOMY_VERSION,
        provider=PROVIDER,
        title_es=title_es(call.title, kind.call_type, named_funder),
        summary_es=summarize(doc, facts),
        call_type=kind.call_type,
        sectors=sectors.values,
        ods=ods,
        audience=[Audience(a) for a in audience.values],
        modality=modality,
        countries=countries,
        colombia_eligible=eligible.verdict,
        deadline=dates.deadline,
        deadline_tz=dates.deadline_tz,
        opening_date=dates.opening,
        amount=amount.amount,
        currency=amount.currency,
        funder=funder.name,
        required_documents=documents.values,
        language=lang,
        evidence=evidence,
        needs_review=bool(reasons),
        review_reasons=list(dict.fromkeys(reasons)),
    )
