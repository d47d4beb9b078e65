"""Kafka glue of the catalog service.

calls.enriched.v1 is consumed in batches (up to `consume_batch_size` records per poll) so a burst of
calls becomes a few MongoDB round trips and one Meilisearch task. The shared error policy (its batch
mode) decides: a record that is not a valid `CallEnriched` is dead-lettered alone; a transient failure
(MongoDB or the index failing in any way) rewinds the whole batch after a backoff, never committing and
never dead-lettering; another failure is retried call by call, and only the call that keeps failing for
an unknown reason is dead-lettered alone.
"""

import logging
from typing import Any

from faststream.kafka import KafkaBroker

from boi_catalog import SERVICE
from boi_catalog.batch import publish_enriched_batch
from boi_catalog.domain.public import public_url
from boi_catalog.ports import Announce, CallRepository, Indexer
from boi_catalog.service import publish_enriched
from boi_shared.errors import Verdict
from boi_shared.events import CallEnriched, CallPublished, ImpressionRecorded
from boi_shared.kafka import ErrorPolicy, publish_in_order, subscriber_options
from boi_shared.topics import CALLS_ENRICHED, CALLS_PUBLISHED, IMPRESSIONS

log = logging.getLogger("boi.catalog.handlers")


async def _raw_records(msg: Any) -> Any:
    # Keep the records: each is validated (and dead-lettered) on its own, with its offset.
    return list(msg.raw_message)


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

    if batch_size <= 1:
        # One record at a time: the shared error policy middleware decides per message.
        @broker.subscriber(
            CALLS_ENRICHED.name,
            group_id=SERVICE,
            description=CALLS_ENRICHED.description,
            **subscriber_options(policy.settings),
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
        **subscriber_options(policy.settings),
    )
    async def on_calls_enriched(records: list[Any]) -> None:
        pairs = await policy.decode_batch(records, CallEnriched)
        try:
            changes = await publish_enriched_batch(
                [event for _, event in pairs],
                repository,
                indexer,
                public_base_url,
                auto_publish=auto_publish,
            )
        except Exception as exc:
            if policy.verdict(exc) is Verdict.TRANSIENT:
                raise  # the policy backs off and rewinds the batch
            log.warning("batch failed (%r); processing its calls one by one", exc)

            async def one(event: CallEnriched) -> CallPublished | None:
                return await publish_enriched(
                    event, repository, indexer, public_base_url, auto_publish=auto_publish
                )

            changes = [c for c in await policy.each(pairs, one) if c is not None]
        await announce_all(changes)

    return announce


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the impressions the public site and API record (see `KafkaImpressionSink`)."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)
