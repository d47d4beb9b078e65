"""The offline `local` provider behind the provider port: the rules of `boi_enrich.domain.local`, no network,
no model downloads. It never pays and never fails for lack of a service."""

import hashlib

from boi_enrich.domain.local import PROVIDER, enrich_local
from boi_enrich.ports import ProviderResult
from boi_shared.events import RawCall


class LocalProvider:
    """`EnrichmentProvider` on the offline rules. Deterministic: the same call gives the same result, and a
    deadline without a year is read against the call's publication date, so a replay enriches the same text
    the same way."""

    name = PROVIDER
    model = "rules"
    paid = False

    def content_hash(self, call: RawCall) -> str:
        return hashlib.sha256(f"{call.title}\n{call.text}\n{call.published_at}".encode()).hexdigest()

    async def enrich(self, call: RawCall) -> ProviderResult:
        return ProviderResult(enrich_local(call), provider=self.name, model=self.model)
