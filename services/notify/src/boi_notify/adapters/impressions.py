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
        results = await asyncio.gather(
            *(self._publisher.publish(i, key=i.call_id.encode()) for i in impressions), return_exceptions=True
        )
        for impression, result in zip(impressions, results, strict=True):
            if isinstance(result, BaseException):
                log.error(
                    "impression lost: %r", result, extra={"call_id": impression.call_id, "kind": "email"}
                )
