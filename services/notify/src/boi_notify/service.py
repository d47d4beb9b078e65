"""Use cases of the notify service: deliver a published call to every partner endpoint."""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from boi_notify.domain.delivery import (
    DeliveryResult,
    DeliveryStatus,
    EndpointUnreachable,
    Verdict,
    delivery_id,
    endpoint_key,
    verdict_for,
)
from boi_notify.domain.signing import signed_headers
from boi_notify.ports import DeliveryLog, WebhookSender
from boi_shared.events import CallPublished

log = logging.getLogger("boi.notify")


class _TryAgain(Exception):
    """An attempt failed in a way another attempt may fix (5xx, 429, no answer)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per endpoint and the exponential backoff (with jitter) between them."""

    attempts: int = 5
    initial_seconds: float = 0.5
    max_seconds: float = 10.0


class WebhookNotifier:
    """Delivers each `CallPublished` to every endpoint once, signed; records every outcome."""

    def __init__(
        self,
        endpoints: Sequence[str],
        secret: str,
        deliveries: DeliveryLog,
        sender: WebhookSender,
        retry: RetryPolicy = RetryPolicy(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.endpoints = tuple(endpoints)
        self.secret = secret
        self.deliveries = deliveries
        self.sender = sender
        self.retry = retry
        self.clock = clock

    async def notify(self, event: CallPublished) -> list[DeliveryResult]:
        """Deliver to the endpoints concurrently; return the outcomes of the deliveries attempted now.

        A failing endpoint ends as a recorded failure, never as an exception: the partition moves on. Only
        a delivery-log failure (MongoDB down) raises, so the message is retried and nothing is lost.
        """
        body = event.model_dump_json().encode("utf-8")
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self._deliver(event, body, url)) for url in self.endpoints]
        except ExceptionGroup as failed:
            # The error policy classifies one exception (MongoDB down → transient, retried); a group would
            # be "unknown" and end on the DLQ. The first error is the one that cancelled the others.
            raise failed.exceptions[0] from failed
        return [result for task in tasks if (result := task.result()) is not None]

    async def _deliver(self, event: CallPublished, body: bytes, url: str) -> DeliveryResult | None:
        key = delivery_id(str(event.event_id), url)
        if await self.deliveries.is_delivered(key):
            log.info("already delivered, skipped", extra=_extra(event, url))
            return None
        result = await self._send(event, body, url)
        await self.deliveries.record(key, event, result)
        if result.delivered:
            log.info("delivered", extra={**_extra(event, url), "attempts": result.attempts})
        else:
            log.warning(
                "delivery failed: %s",
                result.error,
                extra={**_extra(event, url), "attempts": result.attempts, "http_status": result.http_status},
            )
        return result

    async def _send(self, event: CallPublished, body: bytes, url: str) -> DeliveryResult:
        attempts = 0
        http_status: int | None = None
        error: str | None = None

        def outcome(status: DeliveryStatus) -> DeliveryResult:
            delivered_at = datetime.now(UTC) if status is DeliveryStatus.DELIVERED else None
            return DeliveryResult(url, status, attempts, http_status, error, delivered_at)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=wait_exponential_jitter(
                multiplier=self.retry.initial_seconds,
                max=self.retry.max_seconds,
                jitter=self.retry.initial_seconds,
            ),
            retry=retry_if_exception_type(_TryAgain),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    attempts += 1
                    # Signed per attempt: the timestamp a partner checks is the one of this request.
                    headers = signed_headers(self.secret, str(event.event_id), int(self.clock()), body)
                    try:
                        http_status = await self.sender.post(url, body, headers)
                    except EndpointUnreachable as exc:
                        http_status, error = None, str(exc)
                        raise _TryAgain from exc
                    verdict = verdict_for(http_status)
                    if verdict is Verdict.DELIVERED:
                        error = None
                        return outcome(DeliveryStatus.DELIVERED)
                    error = f"HTTP {http_status}"
                    if verdict is Verdict.REJECTED:
                        return outcome(DeliveryStatus.FAILED)
                    raise _TryAgain
        except _TryAgain:
            pass
        return outcome(DeliveryStatus.FAILED)


def _extra(event: CallPublished, url: str) -> dict[str, str]:
    return {
        "call_id": event.call_id,
        "event_id": str(event.event_id),
        "endpoint": urlsplit(url).netloc,
        "endpoint_key": endpoint_key(url),
    }
