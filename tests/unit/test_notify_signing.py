"""Webhook signatures: what partners verify, including stale and tampered requests."""

import hashlib
import hmac

import pytest

from boi_notify.domain.signing import sign, signed_headers, verify

SECRET = "s3cret-partner-key"
BODY = b'{"call_id":"c-1","change":"published"}'
NOW = 1_760_000_000


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, BODY) == f"sha256={expected}"


def test_fresh_signature_verifies() -> None:
    assert verify(SECRET, BODY, str(NOW), sign(SECRET, NOW, BODY), now=NOW + 10)


@pytest.mark.parametrize(
    ("secret", "body", "timestamp"),
    [
        ("another-secret", BODY, NOW),
        (SECRET, BODY + b" ", NOW),
        (SECRET, BODY, NOW + 1),
    ],
    ids=["wrong-secret", "tampered-body", "other-timestamp"],
)
def test_any_change_breaks_the_signature(secret: str, body: bytes, timestamp: int) -> None:
    assert not verify(secret, body, str(timestamp), sign(SECRET, NOW, BODY), now=NOW)


def test_timestamps_older_than_five_minutes_are_rejected() -> None:
    signature = sign(SECRET, NOW, BODY)
    assert verify(SECRET, BODY, str(NOW), signature, now=NOW + 300)
    assert not verify(SECRET, BODY, str(NOW), signature, now=NOW + 301)


def test_timestamps_far_in_the_future_are_rejected() -> None:
    assert not verify(SECRET, BODY, str(NOW), sign(SECRET, NOW, BODY), now=NOW - 301)


@pytest.mark.parametrize("timestamp", ["", "abc", "1.5e9", "None"])
def test_malformed_timestamp_is_rejected(timestamp: str) -> None:
    assert not verify(SECRET, BODY, timestamp, sign(SECRET, NOW, BODY), now=NOW)


@pytest.mark.parametrize("signature", ["", "sha256=", "md5=abc", "sha256=" + "0" * 64])
def test_malformed_signature_is_rejected(signature: str) -> None:
    assert not verify(SECRET, BODY, str(NOW), signature, now=NOW)


def test_bytes_and_text_secrets_sign_alike() -> None:
    assert sign(SECRET.encode(), NOW, BODY) == sign(SECRET, NOW, BODY)


def test_signed_headers_carry_event_id_timestamp_and_signature() -> None:
    headers = signed_headers(SECRET, "evt-1", NOW, BODY)
    assert headers == {
        "Content-Type": "application/json",
        "X-BOI-Event-Id": "evt-1",
        "X-BOI-Timestamp": str(NOW),
        "X-BOI-Signature": sign(SECRET, NOW, BODY),
    }
