"""The one error policy: classification of failures (pure logic)."""

import json

import pytest
from pydantic import BaseModel, ValidationError

from boi_shared.errors import PermanentError, TransientError, Verdict, classify
from boi_shared.kafka import ErrorPolicy
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
    ],
)
def test_classify(exc: BaseException, verdict: Verdict) -> None:
    assert classify(exc) is verdict


def test_wrapped_cause_is_classified() -> None:
    try:
        try:
            raise ConnectionResetError("peer")
        except ConnectionResetError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert classify(outer) is Verdict.TRANSIENT


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
