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
        # Handed to the producer without waiting for each acknowledgement (`no_confirm`), then awaited
        # together: the producer batches them (70,000 publishes awaited one by one took ~45 s).
        futures = await asyncio.gather(
            *(self._publisher.publish(i, key=i.call_id.encode(), no_confirm=True) for i in impressions),
            return_exceptions=True,
        )
        pending = [f for f in futures if not isinstance(f, BaseException)]
        acks = iter(await asyncio.gather(*pending, return_exceptions=True))
        results = [f if isinstance(f, BaseException) else next(acks) for f in futures]
        for impression, result in zip(impressions, results, strict=True):
            if isinstance(result, BaseException):
                log.error(
                    "impression lost: %r", result, extra={"call_id": impression.call_id, "kind": "email"}
                )
