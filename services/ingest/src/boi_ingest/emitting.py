"""What one chunk of items means, decided before anything is published: the events to emit (at most one
per call), the item records to store once those are acknowledged, and the new signatures.

- an unchanged item emits nothing;
- a changed item that is its own call emits its next version (listing every source its call has);
- a new item that matches no known call is a new call (version 1);
- a new item that matches a known call of another source (a near-duplicate) joins it: the call is emitted
  again with this source added — as its next version, or within the same event if the call is new in this
  chunk — and keeps the content of the item that announced it first;
- a near-duplicate whose own text changes emits nothing (its call keeps the first item's content).
"""

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from boi_ingest.domain.dedup import Signature, SignatureIndex
from boi_ingest.domain.model import FeedItem, ItemState, Source
from boi_ingest.domain.normalize import Normalized, raw_call, signature_of
from boi_shared.events import CallIngested, RawCall, SourceRef
from boi_shared.ids import event_id_for

LoadCalls = Callable[[Sequence[str]], Awaitable[dict[str, CallIngested]]]


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


def _emit(plan: Plan, item: FeedItem, source: Source, event: CallIngested, created: bool) -> None:
    plan.events[event.call_id] = event
    plan.records[item.call_id] = ItemRecord(
        item.call_id,
        event.version,
        item.content_hash,
        item.url,
        source.source_id,
        event=event,
        event_call_id=event.call_id,
        created=created,
    )


async def _join(
    plan: Plan,
    item: FeedItem,
    ref: SourceRef,
    target: str,
    load_calls: LoadCalls,
    source: Source,
    emitted: dict[str, CallIngested],
) -> bool:
    """Add the item's source to call `target`; False if that call is gone (the item is then new)."""
    base = plan.events.get(target)
    version = base.version if base is not None else 0
    if base is None:
        base = emitted.get(target) or (await load_calls([target])).get(target)
        if base is None:
            return False
        version = base.version + 1
    event = event_of(
        target, version, base.call.model_copy(update={"sources": with_source(base.call.sources, ref)})
    )
    plan.events[target] = event
    own = plan.records.get(target) or ItemRecord(target, version, event_call_id=target, call_only=True)
    plan.records[target] = replace(own, version=version, event=event)
    plan.records[item.call_id] = ItemRecord(
        item.call_id,
        version,
        item.content_hash,
        item.url,
        source.source_id,
        call_id=target,
        event_call_id=target,
        created=True,
    )
    return True


async def plan_chunk(
    items: Sequence[FeedItem],
    states: dict[str, ItemState],
    index: SignatureIndex,
    load_calls: LoadCalls,
    source: Source,
    source_type: str,
    emitted: dict[str, CallIngested] | None = None,
    found: Mapping[str, Normalized] | None = None,
) -> Plan:
    """Decide what a chunk of items emits and records (see the module docstring); `index` learns them.

    `emitted`: the events of earlier chunks of this run (the store may not have recorded them yet).
    `found`: what normalizing found in the new and changed items, by item id, if done beforehand.
    """
    plan = Plan()
    emitted_now = emitted or {}
    found = found or {}
    for position, item in enumerate(items):
        if position % 50 == 49:
            await asyncio.sleep(0)  # let the previous chunk's publishing and recording move on
        state = states.get(item.call_id)
        ref = SourceRef(source_id=source.source_id, source_type=source_type, item_url=item.item_url)
        if state is not None and state.content_hash == item.content_hash:
            plan.unchanged.append(item.call_id)
            continue
        if state is not None and state.call_id not in (None, item.call_id):
            plan.records[item.call_id] = ItemRecord(
                item.call_id, state.version, item.content_hash, item.url, source.source_id, state.call_id
            )
            plan.duplicate.append(item.call_id)
            continue
        if state is not None:
            # The call's latest version: sources may have joined it since this item was recorded.
            head = plan.events.get(item.call_id) or emitted_now.get(item.call_id)
            if head is None:
                head = (await load_calls([item.call_id])).get(item.call_id)
            version = max(state.version, head.version if head is not None else 0)
            sources = head.call.sources if head is not None else state.sources
            call = raw_call(item, with_source(sources, ref), source.tags, found.get(item.call_id))
            _emit(plan, item, source, event_of(item.call_id, version + 1, call), created=False)
            plan.signatures.append(signature_of(item.call_id, item.call_id, call, source.source_id))
            plan.updated.append(item.call_id)
            continue
        call = raw_call(item, [ref], source.tags, found.get(item.call_id))
        signature = signature_of(item.call_id, item.call_id, call, source.source_id)
        target = index.match(signature)
        if target is not None and await _join(plan, item, ref, target, load_calls, source, emitted_now):
            signature = replace(signature, call_id=target)
            plan.duplicate.append(item.call_id)
        else:
            _emit(plan, item, source, event_of(item.call_id, 1, call), created=True)
            plan.new.append(item.call_id)
        index.add(signature)
        plan.signatures.append(signature)
    return plan
