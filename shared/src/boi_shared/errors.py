"""The one error policy: which failures are worth retrying and which can never succeed."""

import asyncio
import json
from enum import Enum

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
)
TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
    OSError,
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
