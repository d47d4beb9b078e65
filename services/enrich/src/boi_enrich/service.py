"""Use cases of the enrich service."""

from boi_enrich.domain.minimal import enrich_minimal
from boi_shared.events import CallEnriched, CallIngested
from boi_shared.ids import event_id_for


def enrich_call(event: CallIngested) -> CallEnriched:
    """Enrich one call version. The event id is derived from (call, version): replays are idempotent."""
    return CallEnriched(
        event_id=event_id_for("enriched", event.call_id, event.version),
        call_id=event.call_id,
        version=event.version,
        call=event.call,
        enrichment=enrich_minimal(event.call),
    )
