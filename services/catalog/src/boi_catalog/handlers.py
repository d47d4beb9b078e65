"""Kafka glue of the catalog service.

calls.enriched.v1 is consumed in batches (up to `consume_batch_size` records per poll) so a burst of
calls becomes a few MongoDB round trips and one Meilisearch task. The shared error policy decides per
record, so it is applied here: a record that is not a valid `CallEnriched` is dead-lettered alone; a
transient failure (MongoDB down) backs off and retries the whole batch, never committing; another
failure is retried call by call, and the call that keeps failing is dead-lettered alone.
"""

import asyncio
import logging
from typing import Any

from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from boi_catalog import SERVICE
from boi_catalog.batch import publish_enriched_batch
from boi_catalog.domain.public import public_url
from boi_catalog.ports import Announce, CallRepository, Indexer
from boi_catalog.service import publish_enriched
from boi_shared.errors import Verdict, classify
from boi_shared.events import CallEnriched, CallPublished, ImpressionRecorded
from boi_shared.kafka import SUBSCRIBER_DEFAULTS, ErrorPolicy, publish_in_order
from boi_shared.topics import CALLS_ENRICHED, CALLS_PUBLISHED, IMPRESSIONS

log = logging.getLogger("boi.catalog.handlers")


async def _raw_records(msg: Any) -> Any:
    # Keep the records: each is validated (and dead-lettered) on its own, with its offset.
    return list(msg.raw_message)


async def _retrying(policy: ErrorPolicy, attempt_limit: int | None, work: Any) -> Any:
    """Run `work()` until it succeeds: transient failures back off forever; others are re-raised
    after `attempt_limit` attempts (None: at once)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return await work()
        except Exception as exc:
            verdict = classify(exc, policy.extra_transient)
            if verdict is Verdict.TRANSIENT or (
                verdict is Verdict.UNKNOWN and attempt_limit is not None and attempt < attempt_limit
            ):
                delay = policy.backoff(attempt)
                log.warning("retrying in %.1fs: %r", delay, exc, extra={"attempt": attempt})
                await asyncio.sleep(delay)
                continue
            raise


def register(
    broker: KafkaBroker,
    policy: ErrorPolicy,
    repository: CallRepository,
    indexer: Indexer,
    public_base_url: str,
    *,
    auto_publish: bool = False,
    batch_size: int = 500,
) -> Announce:
    """Subscribe to calls.enriched.v1; return the announcer of calls.published.v1 (for curation and
    jobs, which announce changes outside the consumer)."""
    to_calls_published = broker.publisher(
        CALLS_PUBLISHED.name, schema=CallPublished, description=CALLS_PUBLISHED.description
    )

    def with_link(event: CallPublished) -> CallPublished:
        if (event.call.public_url or "").startswith(("http://", "https://")):
            return event
        # a use case called without `base_url`: partners need an absolute link
        link = public_url(public_base_url, event.call_id)
        return event.model_copy(update={"call": event.call.model_copy(update={"public_url": link})})

    async def announce(event: CallPublished) -> None:
        event = with_link(event)
        await to_calls_published.publish(event, key=event.call_id.encode())

    async def announce_all(events: list[CallPublished]) -> None:
        outcomes = await publish_in_order(
            to_calls_published, [with_link(e) for e in events], lambda e: e.call_id.encode()
        )
        if failure := next((o for o in outcomes if o is not None), None):
            raise failure

    async def one_by_one(pairs: list[tuple[Any, CallEnriched]]) -> list[CallPublished]:
        changes = []
        for record, event in pairs:

            async def work(e: CallEnriched = event) -> CallPublished | None:
                return await publish_enriched(
                    e, repository, indexer, public_base_url, auto_publish=auto_publish
                )

            try:
                change = await _retrying(policy, policy.settings.unknown_error_attempts, work)
            except Exception as exc:
                await policy.dead_letter(record, exc, policy.settings.unknown_error_attempts)
                log.error("sent to DLQ: %r", exc, extra={"call_id": event.call_id})
                continue
            if change is not None:
                changes.append(change)
        return changes

    if batch_size <= 1:
        # One record at a time: the shared error policy middleware decides per message.
        @broker.subscriber(
            CALLS_ENRICHED.name,
            group_id=SERVICE,
            description=CALLS_ENRICHED.description,
            **SUBSCRIBER_DEFAULTS,
        )
        async def on_call_enriched(event: CallEnriched) -> None:
            change = await publish_enriched(
                event, repository, indexer, public_base_url, auto_publish=auto_publish
            )
            if change is not None:
                await announce(change)

        return announce

    @broker.subscriber(
        CALLS_ENRICHED.name,
        group_id=SERVICE,
        description=CALLS_ENRICHED.description,
        batch=True,
        max_records=batch_size,
        decoder=_raw_records,
        **SUBSCRIBER_DEFAULTS,
    )
    async def on_calls_enriched(records: list[Any]) -> None:
        pairs: list[tuple[Any, CallEnriched]] = []
        for record in records:
            try:
                pairs.append((record, CallEnriched.model_validate_json(record.value or b"")))
            except (ValidationError, ValueError) as exc:
                await policy.dead_letter(record, exc, 1)
                log.error("invalid CallEnriched sent to DLQ: %s", exc, extra={"offset": record.offset})
        events = [event for _, event in pairs]

        async def work() -> list[CallPublished]:
            return await publish_enriched_batch(
                events, repository, indexer, public_base_url, auto_publish=auto_publish
            )

        try:
            changes = await _retrying(policy, None, work)
        except Exception as exc:
            log.warning("batch failed (%r); processing its calls one by one", exc)
            changes = await one_by_one(pairs)
        await announce_all(changes)

    return announce


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the impressions the public site and API record (see `KafkaImpressionSink`)."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)
