"""Catalog's Kafka handlers in memory (FastStream's test broker) with the composition root's broker and
in-memory ports: an enriched call is stored, indexed and announced; a bad record in a batch is dead-lettered
alone. Fast feedback on the wiring; the real-stack tests remain the proof."""

from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from boi_catalog.app import build_broker
from boi_catalog.settings import Settings
from boi_shared.events import CallPublished, DeadLetter
from boi_shared.topics import CALLS_ENRICHED, CALLS_PUBLISHED, dlq_name
from tests.support.catalog_calls import enriched_fund
from tests.unit.catalog_fakes import FakeIndex, FakeRepository

BASE_URL = "https://boi.example.org"


def _broker(**settings: Any) -> tuple[KafkaBroker, FakeRepository, FakeIndex]:
    repository, index = FakeRepository(), FakeIndex()
    config = Settings(kafka_bootstrap_servers="memory:9092", public_base_url=BASE_URL, **settings)
    broker, _, _ = build_broker(config, repository, index)  # type: ignore[arg-type]
    return broker, repository, index


def _listen(broker: KafkaBroker, topic: str, into: list[Any], model: type) -> None:
    @broker.subscriber(topic)
    async def listener(event: model) -> None:  # type: ignore[valid-type]
        into.append(event)


@pytest.mark.parametrize("batch_size", [1, 50], ids=["one-by-one", "batched"])
async def test_an_auto_published_call_is_stored_indexed_and_announced_with_an_absolute_link(
    batch_size: int,
) -> None:
    broker, repository, index = _broker(catalog_auto_publish=True, consume_batch_size=batch_size)
    announced: list[CallPublished] = []
    _listen(broker, CALLS_PUBLISHED.name, announced, CallPublished)
    event = enriched_fund("component", 1, "Andino")

    async with TestKafkaBroker(broker) as test:
        await test.publish(event, topic=CALLS_ENRICHED.name, key=event.call_id.encode())

    assert repository.calls[event.call_id].version == 1
    assert event.call_id in index.documents
    [published] = announced
    assert published.call_id == event.call_id
    assert (published.call.public_url or "").startswith(f"{BASE_URL}/")


async def test_a_call_waiting_for_review_is_stored_in_review_and_not_announced() -> None:
    broker, repository, index = _broker(catalog_auto_publish=False)
    announced: list[CallPublished] = []
    _listen(broker, CALLS_PUBLISHED.name, announced, CallPublished)
    fund = enriched_fund("component", 2, "Caribe")
    event = fund.model_copy(update={"enrichment": fund.enrichment.model_copy(update={"needs_review": True})})

    async with TestKafkaBroker(broker) as test:
        await test.publish(event, topic=CALLS_ENRICHED.name, key=event.call_id.encode())

    assert event.call_id in repository.calls
    assert announced == []
    # Indexed for the console's queue; the public filter excludes `en_revision`.
    assert index.documents[event.call_id]["status"] == "en_revision"


async def test_a_malformed_record_in_a_batch_is_dead_lettered_alone() -> None:
    broker, repository, _ = _broker(catalog_auto_publish=True, consume_batch_size=50)
    letters: list[DeadLetter] = []
    _listen(broker, dlq_name(CALLS_ENRICHED.name), letters, DeadLetter)
    good = enriched_fund("component", 3, "Pacifico")

    async with TestKafkaBroker(broker) as test:
        await test.publish_batch(
            b'{"call_id": "c-broken", "version": 0}',
            good.model_dump_json().encode(),
            topic=CALLS_ENRICHED.name,
        )

    assert list(repository.calls) == [good.call_id]
    [letter] = letters
    assert letter.original_topic == CALLS_ENRICHED.name
    assert "c-broken" in letter.payload
