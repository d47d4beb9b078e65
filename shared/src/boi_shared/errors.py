"""The one error classification: can retrying help?

- PERMANENT: the message's own content is invalid (schema, JSON, encoding, a document MongoDB can never
  store). Retrying cannot help: the policy parks it on `<topic>.dlq`.
- TRANSIENT: anything about a dependency — the network, MongoDB (any server or write error: full disk,
  "not primary", write concern, a FerretDB/SQLite failure), Kafka, an index. Retrying can help: retried
  with backoff forever and never dead-lettered, so valid data is never parked because a dependency failed.
- UNKNOWN: neither (a bug met by one message): retried a few times, then dead-lettered with its error so
  the partition keeps moving; `boi dlq replay` brings it back once fixed.
"""

import asyncio
import json
from enum import Enum

import bson.errors
import pymongo.errors
from aiokafka import errors as kafka_errors
from pydantic import ValidationError


class PermanentError(Exception):
    """The message can never be processed (poison content): park it on the DLQ and move on."""


class TransientError(Exception):
    """A dependency is unavailable: retry with backoff, never commit until it succeeds."""


class Verdict(Enum):
    PERMANENT = "permanent"
    TRANSIENT = "transient"
    UNKNOWN = "unknown"


PERMANENT_TYPES: tuple[type[BaseException], ...] = (
    PermanentError,
    ValidationError,
    json.JSONDecodeError,
    UnicodeDecodeError,
    bson.errors.InvalidDocument,  # includes DocumentTooLarge: this document can never be stored
    bson.errors.InvalidStringData,
    kafka_errors.MessageSizeTooLargeError,  # this event can never be published
)
TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError,
    OSError,  # ConnectionError, TimeoutError, a full disk (ENOSPC)…
    asyncio.TimeoutError,
    pymongo.errors.PyMongoError,  # connection, server selection, write, write concern, not primary…
    kafka_errors.KafkaError,
)


def classify(exc: BaseException, extra_transient: tuple[type[BaseException], ...] = ()) -> Verdict:
    """Decide in one place whether an exception is permanent, transient, or not known."""
    if isinstance(exc, PERMANENT_TYPES):
        return Verdict.PERMANENT
    if isinstance(exc, TRANSIENT_TYPES + extra_transient):
        return Verdict.TRANSIENT
    cause = exc.__cause__ or exc.__context__
    if cause is not None and cause is not exc:
        return classify(cause, extra_transient)
    return Verdict.UNKNOWN
