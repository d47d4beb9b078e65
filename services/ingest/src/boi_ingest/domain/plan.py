"""The plan of one chunk of items: events to emit, item records to store once Kafka acknowledged them,
signatures; what is held in flight meanwhile. Pure data (decided by `service.planning`)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from boi_ingest.domain.dedup import Signature
from boi_shared.events import CallIngested, RawCall, SourceRef
from boi_shared.ids import event_id_for


@dataclass(frozen=True)
class ItemRecord:
    """What to store for an item once the event of `event_call_id` (if any) was acknowledged.

    Fields left None are not changed. `call_id` names the call a near-duplicate was merged into;
    `event` is the last event of the item's own call (content, version and sources of that call).
    """

    item_id: str
    version: int
    content_hash: str | None = None
    url: str | None = None
    source_id: str | None = None
    call_id: str | None = None
    event: CallIngested | None = None
    event_call_id: str | None = None
    created: bool = False
    """The item had no stored state: its record is inserted, not updated."""
    call_only: bool = False
    """Only the call's new version is stored (a source joined a stored call: its item is left as is)."""


@dataclass(frozen=True)
class InFlight:
    """An event about to be published and the records and signatures to store once it is acknowledged."""

    event: CallIngested
    records: tuple[ItemRecord, ...]
    signatures: tuple[Signature, ...] = ()


@dataclass
class Plan:
    events: dict[str, CallIngested] = field(default_factory=dict)
    records: dict[str, ItemRecord] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    duplicate: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def in_flight(self) -> list[InFlight]:
        """Each event with the records that wait for its acknowledgement."""
        return [
            InFlight(
                event,
                tuple(r for r in self.records.values() if r.event_call_id == call_id),
                tuple(s for s in self.signatures if s.call_id == call_id),
            )
            for call_id, event in self.events.items()
        ]


def with_source(sources: Sequence[SourceRef], ref: SourceRef) -> list[SourceRef]:
    """`sources` with `ref` added, unless the same source already lists the same item URL."""
    if any((s.source_id, s.item_url) == (ref.source_id, ref.item_url) for s in sources):
        return list(sources)
    return [*sources, ref]


def event_of(call_id: str, version: int, call: RawCall) -> CallIngested:
    """The event of one call version; its id is derived from (call, version), so a re-emit is a replay."""
    return CallIngested(
        event_id=event_id_for("ingested", call_id, version), call_id=call_id, version=version, call=call
    )
