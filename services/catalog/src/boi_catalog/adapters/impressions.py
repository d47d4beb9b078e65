"""Kafka adapter for impressions: publishes `ImpressionRecorded` events to `metrics.impressions.v1`."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from boi_shared.events import ImpressionRecorded

log = logging.getLogger("boi.catalog.impressions")


class KafkaImpressionSink:
    """`ImpressionSink` on a FastStream publisher, keyed by `call_id`. Publishes concurrently; a failed
    publish is logged with its call id and kind (impressions are metrics: never fail a page for them)."""

    def __init__(self, publisher: Any) -> None:
        self._publisher = publisher

    async def record(self, impressions: Sequence[ImpressionRecorded]) -> None:
        results = await asyncio.gather(
            *(self._publisher.publish(i, key=i.call_id.encode()) for i in impressions),
            return_exceptions=True,
        )
        for impression, result in zip(impressions, results, strict=True):
            if isinstance(result, BaseException):
                log.error(
                    "impression lost: %r",
                    result,
                    extra={
                        "call_id": impression.call_id,
                        "kind": impression.kind,
                        "channel": impression.channel,
                    },
                )
