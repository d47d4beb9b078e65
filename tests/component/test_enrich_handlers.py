"""Enrich's Kafka handlers in memory (FastStream's test broker): the composition root's broker, the local
provider and in-memory stores. Fast feedback on the wiring; the real-stack tests remain the proof."""

import json

from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage

from boi_enrich.adapters.memory import MemoryCostLedger, MemoryEnrichmentCache
from boi_enrich.app import build_broker, build_chain
from boi_enrich.settings import Settings
from boi_shared.events import CallEnriched, CallIngested, DeadLetter
from boi_shared.topics import CALLS_ENRICHED, CALLS_RAW, dlq_name
from tests.support.enrich_samples import sample_call

SETTINGS = Settings(kafka_bootstrap_servers="memory:9092", enrich_provider="local", enrich_fallback=[])


def _broker() -> KafkaBroker:
    return build_broker(SETTINGS, build_chain(SETTINGS, MemoryEnrichmentCache(), MemoryCostLedger()))


async def test_a_raw_call_comes_out_enriched_on_calls_enriched_keyed_by_its_id() -> None:
    broker = _broker()
    published: list[tuple[bytes | None, CallEnriched]] = []

    @broker.subscriber(CALLS_ENRICHED.name)
    async def enriched(event: CallEnriched, msg: KafkaMessage) -> None:
        published.append((msg.raw_message.key, event))  # type: ignore[union-attr]

    event = CallIngested(call_id="c-daad-2027", version=2, call=sample_call())
    async with TestKafkaBroker(broker) as test:
        await test.publish(event, topic=CALLS_RAW.name, key=b"c-daad-2027")
        enriched.mock.assert_called_once()

    [(key, out)] = published
    assert key == b"c-daad-2027"  # every version of a call in one partition, in order
    assert (out.call_id, out.version) == ("c-daad-2027", 2)
    assert out.enrichment.provider == "local"
    assert out.enrichment.title_es


async def test_an_invalid_event_is_dead_lettered_and_nothing_is_enriched() -> None:
    broker = _broker()
    letters: list[DeadLetter] = []

    @broker.subscriber(dlq_name(CALLS_RAW.name))
    async def dead(letter: DeadLetter) -> None:
        letters.append(letter)

    @broker.subscriber(CALLS_ENRICHED.name)
    async def enriched(event: CallEnriched) -> None:
        raise AssertionError(f"nothing should be enriched, got {event.call_id}")

    body = json.dumps({"call_id": "c-1", "version": "not a number"}).encode()
    async with TestKafkaBroker(broker) as test:
        await test.publish(body, topic=CALLS_RAW.name, key=b"c-1")
        enriched.mock.assert_not_called()

    [letter] = letters
    assert letter.original_topic == CALLS_RAW.name
    assert letter.consumer_group == "enrich"
    assert "version" in letter.error
