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
from dataclasses import replace

from boi_ingest.domain.dedup import SignatureIndex
from boi_ingest.domain.model import FeedItem, ItemState, Source
from boi_ingest.domain.normalize import Normalized, raw_call, signature_of
from boi_ingest.domain.plan import ItemRecord, Plan, event_of, with_source
from boi_shared.events import CallIngested, SourceRef

LoadCalls = Callable[[Sequence[str]], Awaitable[dict[str, CallIngested]]]


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
