"""Use cases of partner webhooks: record one pending delivery per (event, matching endpoint) and return
(the Kafka partition never waits for a partner); attempt a delivery, signed per the Standard Webhooks
specification; on failure schedule the next attempt on the retry topic; 410 or five days of failures
disable the endpoint; each delivery emits one `webhook` impression."""

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from boi_notify.domain.delivery import (
    AttemptOutcome,
    EndpointUnreachable,
    PendingDelivery,
    Status,
    Verdict,
    delivery_id,
    retry_delay,
    verdict_for,
)
from boi_notify.domain.partners import Endpoint
from boi_notify.domain.signing import signed_headers, webhook_id
from boi_notify.ports import EndpointStore, ImpressionSink, RetryPublisher, WebhookDeliveries, WebhookSender
from boi_shared.events import CallPublished, ImpressionRecorded, WebhookRetryDue
from boi_shared.ids import event_id_for

log = logging.getLogger("boi.notify.webhooks")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DeliveryPolicy:
    """The schedule's scale (1 = the specification's), how long a failing endpoint stays enabled, and how
    long an attempt holds its delivery (longer than the request timeout)."""

    schedule_scale: float = 1.0
    disable_after: timedelta = timedelta(days=5)
    lease_seconds: float = 60.0


class EndpointDirectory:
    """The endpoints, read from the store at most every `refresh_seconds` (the CLI and the console change
    them from other processes)."""

    def __init__(
        self, store: EndpointStore, refresh_seconds: float, clock: Callable[[], float] = time.monotonic
    ):
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self._endpoints: dict[str, Endpoint] = {}
        self._loaded_at: float | None = None

    async def current(self) -> dict[str, Endpoint]:
        now = self.clock()
        if self._loaded_at is None or now - self._loaded_at >= self.refresh_seconds:
            self._endpoints = {e.name: e for e in await self.store.all()}
            self._loaded_at = now
        return self._endpoints

    def forget(self) -> None:
        self._loaded_at = None


class Webhooks:
    def __init__(
        self,
        directory: EndpointDirectory,
        deliveries: WebhookDeliveries,
        sender: WebhookSender,
        retries: RetryPublisher,
        impressions: ImpressionSink,
        policy: DeliveryPolicy = DeliveryPolicy(),
        now: Callable[[], datetime] = _now,
    ) -> None:
        self.directory = directory
        self.deliveries = deliveries
        self.sender = sender
        self.retries = retries
        self.impressions = impressions
        self.policy = policy
        self.now = now

    async def record(self, event: CallPublished) -> list[PendingDelivery]:
        """Stores one pending delivery per enabled endpoint whose filter matches; those stored now, held by
        this process for their first attempt. Idempotent: a redelivered event finds its deliveries (same
        ids, same webhook-id), changes nothing and returns none (the sweep takes up any left pending)."""
        return await self.record_many([event])

    async def record_many(self, events: Sequence[CallPublished]) -> list[PendingDelivery]:
        """`record` for a batch of events, in one write."""
        endpoints = [e for e in (await self.directory.current()).values() if e.enabled]
        at = self.now()
        records = []
        for event in events:
            body = event.model_dump_json()
            records += [
                PendingDelivery(
                    id=delivery_id(str(event.event_id), e.name),
                    webhook_id=webhook_id(str(event.event_id), e.name),
                    endpoint=e.name,
                    event_id=str(event.event_id),
                    call_id=event.call_id,
                    version=event.version,
                    change=event.change,
                    body=body,
                    attempt=0,
                    created_at=at,
                )
                for e in endpoints
                if e.filter.matches(event)
            ]
        stored = await self.deliveries.add(records, at, self.policy.lease_seconds)
        return [r for r in records if r.id in stored]

    async def attempt(self, delivery: str) -> Status | None:
        """One attempt at a delivery that is due; None when it is not (delivered, held elsewhere, later)."""
        pending = await self.deliveries.claim(delivery, self.now(), self.policy.lease_seconds)
        if pending is None:
            return None
        return await self.attempt_held(pending)

    async def attempt_held(self, pending: PendingDelivery) -> Status:
        """One attempt at a delivery this process holds (just recorded, or claimed)."""
        delivery = pending.id
        endpoint = (await self.directory.current()).get(pending.endpoint)
        number = pending.attempt + 1
        if endpoint is None or not endpoint.enabled:
            reason = "endpoint removed" if endpoint is None else "endpoint disabled"
            await self.deliveries.finish(
                delivery, AttemptOutcome(Status.FAILED, pending.attempt, self.now(), None, reason)
            )
            return Status.FAILED
        http_status, error = await self._post(endpoint, pending)
        verdict = Verdict.RETRY if http_status is None else verdict_for(http_status)
        at = self.now()
        if verdict is Verdict.DELIVERED:
            # The record and the impression at once: both are batched writes that wait for their batch.
            await asyncio.gather(
                self.deliveries.delivered(
                    delivery, AttemptOutcome(Status.DELIVERED, number, at, http_status)
                ),
                self._delivered(endpoint, pending),
            )
            return Status.DELIVERED
        error = error or f"HTTP {http_status}"
        if verdict is Verdict.GONE:
            await self._disable(endpoint, "the endpoint answered 410 Gone")
        elif verdict is Verdict.RETRY and not await self._failing_too_long(endpoint, at):
            delay = retry_delay(number, self.policy.schedule_scale)
            if delay is not None:
                return await self._schedule(pending, number, at, http_status, error, delay)
        await self.deliveries.finish(delivery, AttemptOutcome(Status.FAILED, number, at, http_status, error))
        log.warning("delivery failed for good: %s", error, extra=_extra(pending, number, http_status))
        return Status.FAILED

    async def _post(self, endpoint: Endpoint, pending: PendingDelivery) -> tuple[int | None, str | None]:
        body = pending.body.encode("utf-8")
        # Signed per attempt: the timestamp a partner checks is the one of this request.
        headers = signed_headers(endpoint.secrets_at(self.now()), pending.webhook_id, int(time.time()), body)
        try:
            return await self.sender.post(endpoint.url, body, headers), None
        except EndpointUnreachable as exc:
            return None, str(exc)

    async def _schedule(
        self,
        pending: PendingDelivery,
        number: int,
        at: datetime,
        http_status: int | None,
        error: str,
        delay: float,
    ) -> Status:
        due_at = at + timedelta(seconds=delay)
        outcome = AttemptOutcome(Status.PENDING, number, at, http_status, error, next_at=due_at)
        await self.deliveries.finish(pending.id, outcome)
        due = WebhookRetryDue(
            event_id=event_id_for("webhook-retry", pending.id, number + 1),
            call_id=pending.call_id,
            delivery_id=pending.id,
            endpoint=pending.endpoint,
            attempt=number + 1,
            due_at=due_at,
        )
        await self.retries.publish([due])
        log.info(
            "attempt failed (%s), next in %.1fs", error, delay, extra=_extra(pending, number, http_status)
        )
        return Status.PENDING

    async def _delivered(self, endpoint: Endpoint, pending: PendingDelivery) -> None:
        if endpoint.failing_since is not None:
            await self.directory.store.set_failing_since(endpoint.name, None)
            self.directory.forget()
        impression = ImpressionRecorded(
            event_id=event_id_for("webhook-impression", pending.id),
            call_id=pending.call_id,
            kind="webhook",
            channel="webhook",
            channel_detail=endpoint.name,  # the partner's name: never its URL or secret
        )
        await self.impressions.emit([impression])
        log.info("delivered", extra=_extra(pending, pending.attempt + 1, None))

    async def _failing_too_long(self, endpoint: Endpoint, at: datetime) -> bool:
        if endpoint.failing_since is None:
            await self.directory.store.set_failing_since(endpoint.name, at)
            self.directory.forget()
            return False
        if at - endpoint.failing_since < self.policy.disable_after:
            return False
        await self._disable(endpoint, f"failing since {endpoint.failing_since.isoformat(timespec='seconds')}")
        return True

    async def _disable(self, endpoint: Endpoint, reason: str) -> None:
        await self.directory.store.set_enabled(endpoint.name, False, reason, self.now())
        self.directory.forget()
        # The admin's notice: this log line (level ERROR) and the flag on the console's partners page.
        log.error(
            "partner endpoint disabled: %s; the admin must enable it again",
            reason,
            extra={"endpoint": endpoint.name},
        )


def _extra(pending: PendingDelivery, attempt: int, http_status: int | None) -> dict[str, object]:
    return {
        "call_id": pending.call_id,
        "event_id": pending.event_id,
        "endpoint": pending.endpoint,
        "webhook_id": pending.webhook_id,
        "attempts": attempt,
        "http_status": http_status,
    }
