"""The one error policy of every Kafka subscriber (FastStream middleware; `boi_shared.kafka.create_broker`
installs it).

Delivery is at-least-once. Subscribers use `AckPolicy.NACK_ON_ERROR` (never FastStream's default, which
commits before processing) and `ErrorPolicy` decides what a failure means (`boi_shared.errors.classify`):
transient → back off, seek back (nack) and try again, forever; permanent (or an unknown error that keeps
failing) → publish a `DeadLetter` to `<topic>.dlq`, then commit, so the partition keeps moving. The same
policy serves batch subscribers: a transient failure rewinds the whole batch; `ErrorPolicy.batch` falls back
to `ErrorPolicy.each`, which isolates the record that is permanently (or unknowably) failing.

The consumer stays in its group during a long outage: every attempt runs under a time budget and every
backoff is capped so that attempt + backoff stay well inside `max.poll.interval.ms`; then the message is
nacked and the consumer polls again (heartbeats run in the background meanwhile). A dependency that
hangs (a paused database) therefore costs retries, never a rebalance and never a dead letter.
"""

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, TypeVar

from faststream import BaseMiddleware
from faststream.exceptions import AckMessage, HandlerException, NackMessage
from faststream.kafka import KafkaBroker
from pydantic import BaseModel, ValidationError

from boi_shared.backoff import exponential
from boi_shared.errors import Verdict, classify
from boi_shared.events import DeadLetter
from boi_shared.settings import ServiceSettings
from boi_shared.topics import dlq_name

log = logging.getLogger("boi.kafka")
M = TypeVar("M")
E = TypeVar("E", bound=BaseModel)
R = TypeVar("R")

LETTERED_KEPT = 10_000


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _records(msg: Any) -> tuple[Any, ...]:
    """The Kafka records a middleware sees: one record, or a batch's tuple (empty on the publish side)."""
    if isinstance(msg, tuple | list):
        return tuple(r for r in msg if hasattr(r, "topic"))
    return (msg,) if hasattr(msg, "topic") else ()


class ErrorPolicy:
    """Middleware factory bound to one service's broker (see the module docstring)."""

    def __init__(
        self,
        service: str,
        settings: ServiceSettings,
        extra_transient: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.service = service
        self.settings = settings
        self.extra_transient = extra_transient
        self.broker: KafkaBroker | None = None
        self.attempts: dict[tuple[str, int, int], int] = {}
        # Records this process dead-lettered: a rewound batch brings them back, they are not sent twice.
        self.lettered: OrderedDict[tuple[str, int, int], None] = OrderedDict()
        poll_seconds = settings.kafka_max_poll_interval_ms / 1000
        self.attempt_seconds = poll_seconds * 0.5
        """Longest time one attempt (the handler on one message or batch) may take."""
        self.backoff_ceiling = min(settings.retry_max_seconds, poll_seconds * 0.25)

    def bind(self, broker: KafkaBroker) -> None:
        self.broker = broker

    def __call__(self, msg: Any, /, *, context: Any) -> "_ErrorPolicyMiddleware":
        return _ErrorPolicyMiddleware(msg, context=context, policy=self)

    def verdict(self, exc: BaseException) -> Verdict:
        return classify(exc, self.extra_transient)

    def backoff(self, attempt: int) -> float:
        return exponential(attempt, self.settings.retry_initial_seconds, self.backoff_ceiling)

    def count(self, record: Any) -> int:
        """One more attempt at `record`; returns how many so far."""
        where = (record.topic, record.partition, record.offset)
        self.attempts[where] = self.attempts.get(where, 0) + 1
        return self.attempts[where]

    def forget(self, record: Any) -> None:
        self.attempts.pop((record.topic, record.partition, record.offset), None)

    def gives_up(self, verdict: Verdict, attempts: int) -> bool:
        """Dead-letter now? Permanent: yes; unknown: after `unknown_error_attempts`; transient: never."""
        if verdict is Verdict.PERMANENT:
            return True
        return verdict is Verdict.UNKNOWN and attempts >= self.settings.unknown_error_attempts

    async def dead_letter(self, record: Any, exc: BaseException, attempts: int) -> None:
        assert self.broker is not None, "ErrorPolicy.bind(broker) was not called"
        where = (record.topic, record.partition, record.offset)
        if where in self.lettered:
            return
        letter = DeadLetter(
            original_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key=_text(record.key),
            payload=_text(record.value) or "",
            error_type=type(exc).__name__,
            error=str(exc)[:4000],
            consumer_group=self.service,
            attempts=attempts,
        )
        await self.broker.publish(
            letter.model_dump_json().encode(),
            topic=dlq_name(record.topic),
            key=record.key,
            headers={"content-type": "application/json"},
        )
        self.forget(record)
        self.lettered[where] = None
        while len(self.lettered) > LETTERED_KEPT:
            self.lettered.popitem(last=False)
        log.error("sent to %s: %r", dlq_name(record.topic), exc, extra=_where(record, attempts))

    async def decode_batch(self, records: Sequence[Any], model: type[E]) -> list[tuple[Any, E]]:
        """Each record of a batch validated as `model`; an invalid one is dead-lettered alone."""
        pairs: list[tuple[Any, E]] = []
        for record in records:
            try:
                pairs.append((record, model.model_validate_json(record.value or b"")))
            except (ValidationError, ValueError) as exc:
                await self.dead_letter(record, exc, 1)
        return pairs

    async def each(self, pairs: Sequence[tuple[Any, M]], work: Callable[[M], Awaitable[R]]) -> list[R]:
        """`work` on each item of a batch in order, isolating failures: a transient one is re-raised (the
        middleware backs off and rewinds the batch; items already done are idempotent); a permanent one,
        or an unknown one on its last attempt, dead-letters that record alone; an earlier unknown one is
        re-raised to be tried again. Returns the results of the items that succeeded."""
        results: list[R] = []
        for record, item in pairs:
            try:
                results.append(await work(item))
            except Exception as exc:
                verdict = self.verdict(exc)
                attempts = self.count(record)
                if not self.gives_up(verdict, attempts):
                    raise
                await self.dead_letter(record, exc, attempts)
            else:
                self.forget(record)
        return results

    async def batch(
        self,
        pairs: Sequence[tuple[Any, M]],
        whole: Callable[[list[M]], Awaitable[list[R]]],
        one: Callable[[M], Awaitable[R | None]],
    ) -> list[R]:
        """`whole` on the batch's items at once. A transient failure is re-raised (the middleware backs off
        and rewinds the batch); any other failure runs `one` on each item in order through `each`, which
        isolates the failing record. Returns the results (`one`'s Nones dropped)."""
        try:
            return await whole([item for _, item in pairs])
        except Exception as exc:
            if self.verdict(exc) is Verdict.TRANSIENT:
                raise
            log.warning("batch of %d failed (%r); processing its records one by one", len(pairs), exc)
        return [result for result in await self.each(pairs, one) if result is not None]


def _where(record: Any, attempts: int) -> dict[str, Any]:
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "call_id": _text(record.key),
        "attempt": attempts,
    }


class _ErrorPolicyMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, policy: ErrorPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        # A hung dependency must not hold the poll loop past max.poll.interval.ms: the attempt ends
        # (TimeoutError, transient) and the message is retried after a poll.
        async with asyncio.timeout(self.policy.attempt_seconds):
            return await call_next(msg)

    async def after_processed(
        self,
        exc_type: type[BaseException] | None = None,
        exc_val: BaseException | None = None,
        exc_tb: TracebackType | None = None,
    ) -> bool | None:
        records = _records(self.msg)
        if not records:  # the publishing side: nothing to decide here
            return False
        first, batch = records[0], isinstance(self.msg, tuple | list)
        rewind = (first.topic, first.partition, -1 - first.offset)  # a batch's own retry count
        if exc_val is None or isinstance(exc_val, HandlerException | asyncio.CancelledError):
            self.policy.attempts.pop(rewind, None)
            for record in records:
                self.policy.forget(record)
            return False
        if batch:
            attempts = self.policy.attempts[rewind] = self.policy.attempts.get(rewind, 0) + 1
        else:
            attempts = self.policy.count(first)
        verdict = self.policy.verdict(exc_val)
        extra = {**_where(first, attempts), "verdict": verdict.value, "records": len(records)}
        if batch or not self.policy.gives_up(verdict, attempts):
            # A batch is never dead-lettered whole (`ErrorPolicy.each` isolates the failing record).
            delay = self.policy.backoff(attempts)
            log.warning("retrying in %.1fs: %r", delay, exc_val, extra=extra)
            await asyncio.sleep(delay)
            raise NackMessage() from exc_val
        try:
            await self.policy.dead_letter(first, exc_val, attempts)
        except Exception as dlq_exc:
            log.error("dead-lettering failed, will retry: %r", dlq_exc, extra=extra)
            await asyncio.sleep(self.policy.backoff(attempts))
            raise NackMessage() from dlq_exc
        raise AckMessage() from exc_val
