"""What the model must answer: a pydantic model mirroring `Enrichment`, strict enough for OpenAI structured
outputs (every field required, nullable instead of optional, no extra keys), and its mapping to `Enrichment`.
"""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from boi_shared.events import Enrichment, Evidence
from boi_shared.taxonomy import TAXONOMY_VERSION, Audience, CallType, Eligibility, Modality

EvidenceField = Literal[
    "call_type",
    "sectors",
    "ods",
    "audience",
    "modality",
    "countries",
    "colombia_eligible",
    "deadline",
    "opening_date",
    "amount",
    "funder",
    "required_documents",
]
SCHEMA_NAME = "boi_enrichment"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FieldEvidence(_Strict):
    field: EvidenceField = Field(description="The extracted field this sentence evidences")
    sentence: str = Field(description="The sentence of the call that states the value, copied verbatim")
    confidence: float = Field(description="How sure you are of the value, 0 to 1")


class LLMEnrichment(_Strict):
    """A call classified for a citizen of Bogotá. Only what the call's text states; null when not stated."""

    title_es: str = Field(description="Title in Spanish, clear and short")
    summary_es: str = Field(description="Plain-language Spanish summary of 2 or 3 sentences")
    call_type: CallType | None = Field(description="Main kind of opportunity, null if unclear")
    sectors: list[str] = Field(description="Sectors or themes, in Spanish, lower case")
    ods: list[int] = Field(description="Sustainable Development Goals (1 to 17) the call clearly targets")
    audience: list[Audience] = Field(description="Who can apply")
    modality: Modality | None = Field(description="presencial, virtual or hibrida; null if not stated")
    countries: list[str] = Field(description="Eligible countries or regions as stated, in Spanish")
    colombia_eligible: Eligibility = Field(
        description="si when the text says people or entities of Colombia can apply, no when it excludes "
        "them, sin_dato otherwise"
    )
    deadline: date | None = Field(description="Closing date YYYY-MM-DD only if the text states it")
    deadline_tz: str | None = Field(description="IANA time zone of the deadline if stated")
    opening_date: date | None = Field(description="Opening date YYYY-MM-DD only if the text states it")
    amount: float | None = Field(description="Amount offered, as a number, only if stated")
    currency: str | None = Field(description="ISO 4217 code of the amount")
    funder: str | None = Field(description="Organization that funds or runs the call")
    required_documents: list[str] = Field(description="Documents the applicant must submit, in Spanish")
    language: str | None = Field(description="ISO 639-1 language of the call's text")
    evidence: list[FieldEvidence] = Field(description="For each extracted field, the sentence it came from")
    needs_review: bool = Field(description="True when a curator should check something")
    review_reasons: list[str] = Field(description="Short Spanish reasons for review")


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema as OpenAI's strict mode wants it: every object closed with all its properties
    required, no defaults, and no `$ref` with sibling keywords (such a `$ref` is inlined)."""
    defs: dict[str, Any] = schema.get("$defs", {})

    def fix(node: Any) -> Any:
        if isinstance(node, list):
            return [fix(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {k: v for k, v in node.items() if k != "default"}
        ref = node.get("$ref")
        if isinstance(ref, str) and len(node) > 1:
            target = defs[ref.rsplit("/", 1)[-1]]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
            node["required"] = list(node["properties"])
        return {k: fix(v) for k, v in node.items()}

    fixed: dict[str, Any] = fix(schema)
    return fixed


def response_format() -> dict[str, Any]:
    """The `response_format` of a chat completion request: the JSON schema, strict."""
    schema = strict_schema(LLMEnrichment.model_json_schema())
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": schema}}


def to_enrichment(answer: LLMEnrichment, provider: str) -> Enrichment:
    """Map a validated answer to the event model; values outside the taxonomy are dropped, not trusted."""
    evidence: dict[str, Evidence] = {}
    for item in answer.evidence:
        if item.field not in evidence and item.sentence.strip():
            confidence = min(1.0, max(0.0, item.confidence))
            evidence[item.field] = Evidence(sentence=item.sentence.strip()[:1000], confidence=confidence)
    reasons = [r.strip()[:200] for r in answer.review_reasons if r.strip()][:5]
    currency = (answer.currency or "").strip().upper()
    return Enrichment(
        taxonomy_version=TAXONOMY_VERSION,
        provider=provider,
        title_es=answer.title_es.strip()[:300],
        summary_es=answer.summary_es.strip()[:1200],
        call_type=answer.call_type,
        sectors=list(dict.fromkeys(s.strip().lower() for s in answer.sectors if s.strip()))[:10],
        ods=sorted({n for n in answer.ods if 1 <= n <= 17}),
        audience=list(dict.fromkeys(answer.audience)),
        modality=answer.modality,
        countries=list(dict.fromkeys(c.strip() for c in answer.countries if c.strip()))[:60],
        colombia_eligible=answer.colombia_eligible,
        deadline=answer.deadline,
        deadline_tz=answer.deadline_tz or None,
        opening_date=answer.opening_date,
        amount=answer.amount if answer.amount is not None and answer.amount > 0 else None,
        currency=currency if len(currency) == 3 and currency.isalpha() else None,
        funder=(answer.funder or "").strip() or None,
        required_documents=[d.strip() for d in answer.required_documents if d.strip()][:30],
        language=answer.language,
        evidence=evidence,
        needs_review=answer.needs_review or bool(reasons),
        review_reasons=reasons,
    )
