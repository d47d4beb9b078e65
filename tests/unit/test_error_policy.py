"""The one error policy: classification of failures (pure logic)."""

import json

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from bson.errors import InvalidDocument
from pydantic import BaseModel, ValidationError
from pymongo.errors import (
    AutoReconnect,
    DocumentTooLarge,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteConcernError,
    WriteError,
)

from boi_shared.error_policy import ErrorPolicy
from boi_shared.errors import PermanentError, TransientError, Verdict, classify
from boi_shared.settings import ServiceSettings


class _M(BaseModel):
    x: int


def _validation_error() -> ValidationError:
    try:
        _M.model_validate({"x": "nope"})
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("exc", "verdict"),
    [
        (PermanentError("poison"), Verdict.PERMANENT),
        (_validation_error(), Verdict.PERMANENT),
        (json.JSONDecodeError("bad", "x", 0), Verdict.PERMANENT),
        (TransientError("db down"), Verdict.TRANSIENT),
        (ConnectionRefusedError(), Verdict.TRANSIENT),
        (TimeoutError(), Verdict.TRANSIENT),
        (KeyError("bug"), Verdict.UNKNOWN),
        # a dependency failing in any way: retrying can help, so never the DLQ
        (WriteError("No space left on device", code=14031), Verdict.TRANSIENT),
        (OperationFailure("SQLITE_FULL: database or disk is full", code=1), Verdict.TRANSIENT),
        (WriteConcernError("waiting for replication timed out", code=64), Verdict.TRANSIENT),
        (NotPrimaryError("not primary"), Verdict.TRANSIENT),
        (AutoReconnect("connection closed"), Verdict.TRANSIENT),
        (ServerSelectionTimeoutError("no server"), Verdict.TRANSIENT),
        (OSError(28, "No space left on device"), Verdict.TRANSIENT),
        (KafkaConnectionError("broker down"), Verdict.TRANSIENT),
        # the message's own content: retrying cannot help
        (DocumentTooLarge("17 MB"), Verdict.PERMANENT),
        (InvalidDocument("key '$x' must not start with '$'"), Verdict.PERMANENT),
        (MessageSizeTooLargeError(), Verdict.PERMANENT),
    ],
)
def test_classify(exc: BaseException, verdict: Verdict) -> None:
    assert classify(exc) is verdict


def test_wrapped_cause_is_classified() -> None:
    def wrapping() -> None:
        try:
            raise ConnectionResetError("peer")
        except ConnectionResetError as inner:
            raise RuntimeError("wrapped") from inner

    with pytest.raises(RuntimeError) as outer:
        wrapping()
    assert classify(outer.value) is Verdict.TRANSIENT


def test_service_specific_transient_types() -> None:
    class DbDown(Exception):
        pass

    assert classify(DbDown()) is Verdict.UNKNOWN
    assert classify(DbDown(), (DbDown,)) is Verdict.TRANSIENT


def test_backoff_grows_and_is_capped() -> None:
    policy = ErrorPolicy("t", ServiceSettings(retry_initial_seconds=1, retry_max_seconds=8))
    assert 0.5 <= policy.backoff(1) <= 1
    assert 2 <= policy.backoff(3) <= 4
    assert 4 <= policy.backoff(10) <= 8


def test_an_attempt_and_its_backoff_stay_inside_the_poll_interval() -> None:
    settings = ServiceSettings(retry_max_seconds=30, kafka_max_poll_interval_ms=10_000)
    policy = ErrorPolicy("t", settings)
    assert policy.attempt_seconds + max(policy.backoff(50) for _ in range(100)) < 10


def test_only_content_or_repeated_unknown_errors_are_dead_lettered() -> None:
    policy = ErrorPolicy("t", ServiceSettings(unknown_error_attempts=3))
    assert policy.gives_up(Verdict.PERMANENT, 1)
    assert not policy.gives_up(Verdict.UNKNOWN, 2) and policy.gives_up(Verdict.UNKNOWN, 3)
    assert not policy.gives_up(Verdict.TRANSIENT, 10_000)


async def test_a_record_is_dead_lettered_once_even_when_its_batch_is_rewound() -> None:
    sent: list[tuple[str, bytes]] = []

    class Broker:
        async def publish(self, value: bytes, *, topic: str, key: bytes | None, headers: object) -> None:
            sent.append((topic, value))

    class Record:
        topic, partition, offset, key, value = "calls.enriched.v1", 0, 7, b"c-1", b"not json"

    policy = ErrorPolicy("t", ServiceSettings())
    policy.bind(Broker())  # type: ignore[arg-type]
    for _ in range(2):  # the batch is redelivered after a transient failure of another record
        assert await policy.decode_batch([Record()], _M) == []
    assert [topic for topic, _ in sent] == ["calls.enriched.v1.dlq"]


async def test_a_failing_batch_falls_back_to_its_records_and_a_transient_one_is_rewound() -> None:
    sent: list[bytes | None] = []

    class Broker:
        async def publish(self, value: bytes, *, topic: str, key: bytes | None, headers: object) -> None:
            sent.append(key)

    class Record:
        def __init__(self, offset: int) -> None:
            self.topic, self.partition, self.offset = "calls.enriched.v1", 0, offset
            self.key, self.value = f"c-{offset}".encode(), b"{}"

    policy = ErrorPolicy("t", ServiceSettings())
    policy.bind(Broker())  # type: ignore[arg-type]
    pairs = [(Record(i), i) for i in range(4)]

    async def whole(items: list[int]) -> list[int]:
        raise ValueError("one of them is bad")

    async def one(item: int) -> int | None:
        if item == 2:
            raise PermanentError("poison")
        return None if item == 0 else item * 10

    assert await policy.batch(pairs, whole, one) == [10, 30]  # None dropped, the poison alone lettered
    assert sent == [b"c-2"]

    async def down(items: list[int]) -> list[int]:
        raise TransientError("index down")

    with pytest.raises(TransientError):
        await policy.batch(pairs, down, one)
    assert sent == [b"c-2"]  # nothing tried record by record, nothing lettered
