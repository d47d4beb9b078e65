"""Dead letters for operators: read the `DeadLetter` events parked on `<topic>.dlq` and republish their
original payloads to the topic (`boi dlq list|replay TOPIC`).

A letter's id is its position on the dead-letter topic, `partition:offset`. Replaying publishes the
original value with the original key, so the call keeps its partition and order; the consumers are
idempotent, so replaying a letter twice changes nothing more than replaying it once."""

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import ValidationError

from boi_shared.events import DeadLetter
from boi_shared.kafka_auth import KafkaConnection
from boi_shared.topics import dlq_name


@dataclass(frozen=True)
class Letter:
    id: str
    letter: DeadLetter | None  # None: the record is not a DeadLetter (shown, never replayed)
    raw: bytes


async def read_letters(kafka: KafkaConnection, topic: str) -> list[Letter]:
    """Every record on `<topic>.dlq` up to its current end, oldest first per partition."""
    name = dlq_name(topic)
    partitions = await _partitions(kafka, name)
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(name, p) for p in sorted(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        letters: list[Letter] = []
        for tp in tps:
            while await consumer.position(tp) < ends[tp]:
                for record in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    if record.offset < ends[tp]:
                        letters.append(_letter(record.partition, record.offset, record.value or b""))
        return letters
    finally:
        await consumer.stop()


async def _partitions(kafka: KafkaConnection, name: str) -> list[int]:
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        [found] = await admin.describe_topics([name])
    finally:
        await admin.close()
    if found.get("error_code") or not found.get("partitions"):
        raise LookupError(f"no topic {name}: check the topic name (e.g. calls.enriched.v1)")
    return [int(p["partition"]) for p in found["partitions"]]


def _letter(partition: int, offset: int, value: bytes) -> Letter:
    try:
        letter: DeadLetter | None = DeadLetter.model_validate_json(value)
    except (ValidationError, ValueError):
        letter = None
    return Letter(f"{partition}:{offset}", letter, value)


async def replay(kafka: KafkaConnection, topic: str, ids: set[str] | None = None) -> list[Letter]:
    """Republish the original payload of each letter of `topic` (those in `ids`, or all); returns them.
    Raises LookupError for an id that is not on the dead-letter topic (nothing is replayed then)."""
    letters = [x for x in await read_letters(kafka, topic) if ids is None or x.id in ids]
    if ids is not None and (missing := ids - {x.id for x in letters}):
        raise LookupError(f"no dead letter {', '.join(sorted(missing))} on {dlq_name(topic)}")
    chosen = [x for x in letters if x.letter is not None and x.letter.original_topic == topic]
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for item in chosen:
            assert item.letter is not None
            key = item.letter.key.encode() if item.letter.key is not None else None
            await producer.send_and_wait(topic, item.letter.payload.encode(), key=key)
    finally:
        await producer.stop()
    return chosen
