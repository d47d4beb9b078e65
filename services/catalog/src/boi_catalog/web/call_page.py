"""What a call page adds for a citizen deciding whether to apply: the required documents, the sentence
behind the deadline and the eligibility ("dónde lo dice"), and the readiness timeline built from the
reviewed lead times in `boi_shared.readiness`. Pure functions."""

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from boi_catalog.domain.call import CatalogCall
from boi_catalog.web.present import date_es
from boi_shared.readiness import readiness_plan

BOGOTA = ZoneInfo("America/Bogota")  # "today" of the readiness timeline
MAX_TEXT = 20_000  # the part of the official text searched for documents
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def _evidence(call: CatalogCall, field: str) -> str | None:
    found = (call.enrichment.get("evidence") or {}).get(field) or {}
    sentence = found.get("sentence") if isinstance(found, dict) else None
    return sentence.strip() if isinstance(sentence, str) and sentence.strip() else None


def evidence(call: CatalogCall) -> dict[str, Any]:
    """The source sentence of the deadline and of the Colombia eligibility, unless a curator edited the
    value (then the sentence may no longer support it: the page says the team checked it)."""
    return {
        "deadline": None if "deadline" in call.locked_fields else _evidence(call, "deadline"),
        "deadline_checked": "deadline" in call.locked_fields,
        "eligibility": None
        if "colombia_eligible" in call.locked_fields
        else _evidence(call, "colombia_eligible"),
        "eligibility_checked": "colombia_eligible" in call.locked_fields,
        "documents": _evidence(call, "required_documents"),
    }


def documents(call: CatalogCall) -> list[str]:
    found = call.enrichment.get("required_documents") or []
    return [d.strip() for d in found if isinstance(d, str) and d.strip()]


def timeline(call: CatalogCall, today: date) -> dict[str, Any]:
    """The steps the call's documents (then its text) ask for, each with the day to start it. A day
    already past is marked late; a closed call or one without a deadline gets no dates."""
    deadline = date.fromisoformat(call.deadline) if call.deadline else None
    open_deadline = deadline if deadline and deadline >= today else None
    texts = [*documents(call), *_SENTENCE_END.split(call.text[:MAX_TEXT])]
    steps = [
        {
            "key": s.key,
            "label": s.label_es,
            "lead_days": s.lead_days,
            "rationale": s.rationale_es,
            "start": date_es(s.start_by) if s.start_by else None,
            "start_iso": s.start_by.isoformat() if s.start_by else "",
            "late": s.late,
            "found_in": s.found_in,
        }
        for s in readiness_plan(open_deadline, texts, today)
    ]
    return {
        "steps": steps,
        "deadline": date_es(deadline) if deadline else None,
        "dated": open_deadline is not None,
        "any_late": any(s["late"] for s in steps),
    }


def call_details(call: CatalogCall, today: date) -> dict[str, Any]:
    """The values the call page's documents, evidence and readiness partials show (escaped there)."""
    return {"documents": documents(call), "evidence": evidence(call), "readiness": timeline(call, today)}
