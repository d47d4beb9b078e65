"""Use cases of the enrich service."""

from boi_enrich.providers.chain import ProviderChain
from boi_shared.events import CallEnriched, CallIngested
from boi_shared.ids import event_id_for


async def enrich_call(event: CallIngested, chain: ProviderChain) -> CallEnriched:
    """Enrich one call version with the first provider of the chain that can.

    The event id is derived from (call, version): a replay publishes the same event, and downstream
    consumers de-duplicate it. A paid answer comes from the cache on a replay, so it costs nothing twice.
    """
    result = await chain.enrich(event.call)
    return CallEnriched(
        event_id=event_id_for("enriched", event.call_id, event.version),
        call_id=event.call_id,
        version=event.version,
        call=event.call,
        enrichment=result.enrichment,
    )
