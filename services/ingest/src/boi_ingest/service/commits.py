"""Publishing and recording of planned chunks: a chunk's events are held, published in order, and its
records stored once Kafka acknowledged them; what an earlier run held and never recorded is published
again and recorded before a run plans anything (so a version that may have reached Kafka is never
handed out again with other content)."""

import asyncio
import logging
from datetime import datetime

from boi_ingest.domain.model import Source
from boi_ingest.domain.plan import Plan
from boi_ingest.ports import IngestReport, ItemStore, Publish

log = logging.getLogger("boi.ingest")

RECORDING = 2
"""Acknowledged chunks being recorded at once while the next one is published."""


async def _publish_all(plan: Plan, publish: Publish) -> tuple[set[str], BaseException | None]:
    """Publish every planned event; the call ids acknowledged, and the first failure."""
    events = list(plan.events.values())
    results = await publish(events) if events else []
    done = {e.call_id for e, r in zip(events, results, strict=True) if r is None}
    failure = next((r for r in results if r is not None), None)
    return done, failure


async def _record(plan: Plan, done: set[str], store: ItemStore, report: IngestReport, now: datetime) -> None:
    """Record what of a chunk Kafka acknowledged (`done`: call ids) and count it in the report."""
    # Recorded only after Kafka acknowledged; a crash in between leaves the events held (`_recover`).
    records = [r for r in plan.records.values() if r.event_call_id is None or r.event_call_id in done]
    signatures = [s for s in plan.signatures if s.call_id in done]
    await asyncio.gather(store.record_many(records, now), store.add_signatures(signatures, now))
    await store.release([e for call_id, e in plan.events.items() if call_id in done])
    recorded = {r.item_id for r in records}
    report.new += sum(1 for i in plan.new if i in recorded)
    report.updated += sum(1 for i in plan.updated if i in recorded)
    report.duplicate += sum(1 for i in plan.duplicate if i in recorded)
    report.unchanged += len(plan.unchanged)


class Commits:
    """Publishes planned chunks one after the other — a chunk once the previous one is acknowledged, so
    the versions of a call stay in order — and records each acknowledged chunk while the next one is
    being published (Kafka and MongoDB work at the same time)."""

    def __init__(
        self, store: ItemStore, publish: Publish, report: IngestReport, now: datetime, source_id: str
    ) -> None:
        self._store, self._publish, self._report, self._now = store, publish, report, now
        self._source_id = source_id
        self._publishing: tuple[Plan, asyncio.Task[tuple[set[str], BaseException | None]]] | None = None
        self._recording: list[asyncio.Task[None]] = []

    async def submit(self, plan: Plan) -> None:
        """Start publishing `plan` once the previous chunk is acknowledged; raise its publish failure.
        Its events are held first: a version that may reach Kafka is never planned again."""
        await asyncio.gather(self._settle(), self._store.hold(self._source_id, plan.in_flight()))
        self._publishing = (plan, asyncio.create_task(_publish_all(plan, self._publish)))

    async def finish(self) -> None:
        await self._settle()
        while self._recording:
            await self._recording.pop(0)

    async def _settle(self) -> None:
        if self._publishing is None:
            return
        plan, publishing = self._publishing
        self._publishing = None
        done, failure = await publishing
        self._recording.append(asyncio.create_task(_record(plan, done, self._store, self._report, self._now)))
        while len(self._recording) > RECORDING:
            await self._recording.pop(0)
        if failure is not None:
            await self.finish()
            raise failure

    async def abort(self) -> None:
        """After a failure: stop publishing; what was acknowledged is still recorded where possible."""
        if self._publishing is not None:
            self._publishing[1].cancel()
            await asyncio.gather(self._publishing[1], return_exceptions=True)
            self._publishing = None
        await asyncio.gather(*self._recording, return_exceptions=True)
        self._recording.clear()


async def recover(
    source: Source, store: ItemStore, publish: Publish, report: IngestReport, now: datetime
) -> None:
    """Publish again (same ids, versions and content) and record what an earlier run of the source held
    and never recorded (it crashed, or Kafka refused): only then are new versions planned."""
    flights = await store.held(source.source_id)
    if not flights:
        return
    events = [f.event for f in flights]
    results = await publish(events)
    if failure := next((r for r in results if r is not None), None):
        raise failure
    await store.record_many([r for f in flights for r in f.records], now)
    await store.add_signatures([s for f in flights for s in f.signatures], now)
    await store.release(events)
    report.recovered = len(events)
    log.warning(
        "re-published %d event(s) an earlier run did not record",
        len(events),
        extra={"source_id": source.source_id},
    )
