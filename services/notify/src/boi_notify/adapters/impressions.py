"""`email` impressions to `metrics.impressions.v1`, keyed by call id; never carries an address."""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from boi_shared.events import ImpressionRecorded

log = logging.getLogger("boi.notify.impressions")


class KafkaImpressionSink:
    """`ImpressionSink` on a FastStream publisher. A failed publish is logged, never raised: the email is
    sent already, and impressions are metrics (their ids are deterministic, so a replay counts once)."""

    def __init__(self, publisher: Any) -> None:
        self._publisher = publisher

    async def emit(self, impressions: Sequence[ImpressionRecorded]) -> None:
        # Handed to the producer one after another without waiting for each acknowledgement (`no_confirm`),
        # then acknowledged together: the producer batches them. Awaited one by one, 70,000 publishes took
        # ~45 s; all handed over at once, thousands of them polled the full buffer in turn (~14 s/7,000).
        pending: list[tuple[ImpressionRecorded, Any]] = []
        for impression in impressions:
            try:
                future = await self._publisher.publish(
                    impression, key=impression.call_id.encode(), no_confirm=True
                )
            except Exception as exc:
                _lost(impression, exc)
                continue
            pending.append((impression, future))
        results = await asyncio.gather(*(f for _, f in pending), return_exceptions=True)
        for (impression, _), result in zip(pending, results, strict=True):
            if isinstance(result, BaseException):
                _lost(impression, result)


def _lost(impression: ImpressionRecorded, error: BaseException) -> None:
    log.error("impression lost: %r", error, extra={"call_id": impression.call_id, "kind": "email"})
