"""Kafka glue of the catalog service.

calls.enriched.v1 is consumed in batches (up to `consume_batch_size` records per poll) so a burst of
calls becomes a few MongoDB round trips and one Meilisearch task. The shared error policy (its batch
mode: `decode_batch`, `batch`) decides: a record that is not a valid `CallEnriched` is dead-lettered alone;
a transient failure (MongoDB or the index failing in any way) rewinds the whole batch after a backoff,
never committing and never dead-lettering; another failure is retried call by call, and only the call
that keeps failing for an unknown reason is dead-lettered alone.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker

from boi_catalog import SERVICE
from boi_catalog.ports import Announce, CallRepository, Indexer
from boi_catalog.service.publishing import publish_enriched, publish_enriched_batch
from boi_shared.error_policy import ErrorPolicy
from boi_shared.events import BulletinPublished, CallEnriched, CallPublished, ImpressionRecorded
from boi_shared.kafka import publish_in_order, subscriber_options
from boi_shared.topics import BULLETINS, CALLS_ENRICHED, CALLS_PUBLISHED, IMPRESSIONS


async def _raw_records(msg: Any) -> Any:
    # Keep the records: each is validated (and dead-lettered) on its own, with its offset.
    return list(msg.raw_message)


@dataclass(frozen=True)
class _Catalog:
    """What the use cases need, bound once: `publish(event)` is `service.publishing.publish_enriched` on
    them, `publish_batch(events)` its batched form."""

    repository: CallRepository
    indexer: Indexer
    public_base_url: str
    auto_publish: bool

    async def publish(self, event: CallEnriched) -> CallPublished | None:
        return await publish_enriched(
            event, self.repository, self.indexer, self.public_base_url, auto_publish=self.auto_publish
        )

    async def publish_batch(self, events: list[CallEnriched]) -> list[CallPublished]:
        return await publish_enriched_batch(
            events, self.repository, self.indexer, self.public_base_url, auto_publish=self.auto_publish
        )


class _Announcer:
    """Publishes calls.published.v1, keyed by call id (the use cases give each event its absolute link)."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._to = broker.publisher(
            CALLS_PUBLISHED.name, schema=CallPublished, description=CALLS_PUBLISHED.description
        )

    async def one(self, event: CallPublished) -> None:
        await self._to.publish(event, key=event.call_id.encode())

    async def all(self, events: list[CallPublished]) -> None:
        outcomes = await publish_in_order(self._to, events, lambda e: e.call_id.encode())
        if failure := next((o for o in outcomes if o is not None), None):
            raise failure


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
    catalog = _Catalog(repository, indexer, public_base_url, auto_publish)
    announcer = _Announcer(broker)
    options = {
        "group_id": SERVICE,
        "description": CALLS_ENRICHED.description,
        **subscriber_options(policy.settings),
    }
    if batch_size <= 1:
        _subscribe_one(broker, options, catalog, announcer)
    else:
        _subscribe_batch(broker, {**options, "max_records": batch_size}, policy, catalog, announcer)
    return announcer.one


def _subscribe_one(
    broker: KafkaBroker, options: dict[str, Any], catalog: _Catalog, announcer: _Announcer
) -> None:
    """One record at a time: the shared error policy middleware decides per message."""

    @broker.subscriber(CALLS_ENRICHED.name, **options)
    async def on_call_enriched(event: CallEnriched) -> None:
        if (change := await catalog.publish(event)) is not None:
            await announcer.one(change)


def _subscribe_batch(
    broker: KafkaBroker,
    options: dict[str, Any],
    policy: ErrorPolicy,
    catalog: _Catalog,
    announcer: _Announcer,
) -> None:
    @broker.subscriber(CALLS_ENRICHED.name, batch=True, decoder=_raw_records, **options)
    async def on_calls_enriched(records: list[Any]) -> None:
        pairs = await policy.decode_batch(records, CallEnriched)
        await announcer.all(await policy.batch(pairs, catalog.publish_batch, catalog.publish))


def impressions_publisher(broker: KafkaBroker) -> Any:
    """Publisher of the impressions the public site and API record (see `KafkaImpressionSink`)."""
    return broker.publisher(IMPRESSIONS.name, schema=ImpressionRecorded, description=IMPRESSIONS.description)


def bulletins_publisher(broker: KafkaBroker) -> Callable[[BulletinPublished], Awaitable[None]]:
    """The hand-off of approved weekly bulletins to notify, keyed by week."""
    to_bulletins = broker.publisher(
        BULLETINS.name, schema=BulletinPublished, description=BULLETINS.description
    )

    async def announce(event: BulletinPublished) -> None:
        await to_bulletins.publish(event, key=event.week.encode())

    return announce
