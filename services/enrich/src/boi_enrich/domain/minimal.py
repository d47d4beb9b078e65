"""Kept for callers of the first version: `enrich_minimal` is now the full offline (`local`) enrichment."""

from boi_enrich.domain.local import enrich_local
from boi_shared.events import Enrichment, RawCall


def enrich_minimal(call: RawCall) -> Enrichment:
    """Alias of the local provider, reading year-less dates against the call's publication date."""
    reference = call.published_at.date() if call.published_at else None
    return enrich_local(call, reference)
