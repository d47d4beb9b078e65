"""The offline `local` provider: deterministic rules, no network, no model downloads."""

from datetime import date

from boi_enrich.domain.local import PROVIDER, enrich_local
from boi_shared.events import Enrichment, RawCall


class LocalProvider:
    """Enriches a call with the rules of `boi_enrich.domain`. Pure: the same call gives the same result."""

    name = PROVIDER

    def enrich(self, call: RawCall, *, reference: date | None = None) -> Enrichment:
        """`reference` resolves dates written without a year; by default the call's publication date."""
        if reference is None and call.published_at is not None:
            reference = call.published_at.date()
        return enrich_local(call, reference)
