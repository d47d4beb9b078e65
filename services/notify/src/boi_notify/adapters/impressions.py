"""`email` and `webhook` impressions to `metrics.impressions.v1`, keyed by call id (never an address),
and webhook retries to `notify.webhook-retries.v1`."""

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from aiokafka.partitioner import DefaultPartitioner
from faststream.kafka import KafkaBroker, KafkaPublishMessage

from boi_notify.adapters.batching import Batcher
from boi_notify.ports import ImpressionSink
from boi_shared.events import ImpressionRecorded, WebhookRetryDue
from boi_shared.topics import IMPRESSIONS

log = logging.getLogger("boi.notify.impressions")
PER_BATCH = 30
"""Records in one produce batch: ~400 bytes each with FastStream's headers, under aiokafka's 16 KB batch."""


class KafkaImpressionSink:
    """`ImpressionSink` on the service's FastStream broker. A failed publish is logged, never raised: the
    email is sent already, and impressions are metrics (their ids are deterministic, so a replay counts
    once).

    A digest of 10,000 emails makes 70,000 impressions: published one by one, FastStream's work per
    message cost ~0.5 ms each (~35 s). They are grouped by the partition their key (the call id) maps to
    with Kafka's default partitioner, the same one a per-message publish uses, and each group is sent in
    batches of `PER_BATCH` records, every record keeping its key."""

    def __init__(self, broker: KafkaBroker, partitions: int = IMPRESSIONS.partitions) -> None:
        self._broker, self._partitions = broker, list(range(partitions))

    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None:
        groups: dict[int, list[ImpressionRecorded]] = defaultdict(list)
        for impression in impressions:
            key = impression.call_id.encode()
            groups[DefaultPartitioner()(key, self._partitions, self._partitions)].append(impression)
        await asyncio.gather(*(self._partition(p, group) for p, group in groups.items()))

    async def _partition(self, partition: int, group: list[ImpressionRecorded]) -> None:
        """One partition's batches handed over one after another (the producer queues them), then
        acknowledged together."""
        sent: list[tuple[list[ImpressionRecorded], Any]] = []
        for start in range(0, len(group), PER_BATCH):
            batch = group[start : start + PER_BATCH]
            messages = [KafkaPublishMessage(i, key=i.call_id.encode()) for i in batch]
            try:
                future = await self._broker.publish_batch(
                    *messages, topic=IMPRESSIONS.name, partition=partition, no_confirm=True
                )
            except Exception as exc:
                _lost(batch, exc)
                continue
            sent.append((batch, future))
        results = await asyncio.gather(*(f for _, f in sent), return_exceptions=True)
        for (batch, _), result in zip(sent, results, strict=True):
            if isinstance(result, BaseException):
                _lost(batch, result)


class GatheredImpressions:
    """`ImpressionSink` that gathers the impressions emitted within ~50 ms (webhook deliveries, one each)
    into one `emit` of the sink it wraps: at hundreds of deliveries a second, one publish per delivery
    was most of the cost of recording it."""

    def __init__(self, sink: ImpressionSink) -> None:
        self._batcher: Batcher[ImpressionRecorded] = Batcher(sink.emit, max_items=PER_BATCH * 20)

    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None:
        await asyncio.gather(*(self._batcher.add(i) for i in impressions))


def _lost(batch: list[ImpressionRecorded], error: BaseException) -> None:
    for impression in batch:
        log.error(
            "impression lost: %r", error, extra={"call_id": impression.call_id, "kind": impression.kind}
        )


class KafkaRetryPublisher:
    """`RetryPublisher` on a FastStream publisher of `notify.webhook-retries.v1`, keyed by endpoint. A
    failure raises: the delivery stays pending in the database and the sweep takes it up."""

    def __init__(self, publisher: Any) -> None:
        self._publisher = publisher

    async def publish(self, due: Sequence[WebhookRetryDue]) -> None:
        for item in due:
            await self._publisher.publish(item, key=item.endpoint.encode())
