"""Webhook signatures: `X-BOI-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`.

The timestamp is part of the signed text, so a captured request cannot be replayed later than the
receiver's tolerance (5 minutes here) without breaking the signature.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-BOI-Signature"
TIMESTAMP_HEADER = "X-BOI-Timestamp"
EVENT_ID_HEADER = "X-BOI-Event-Id"
SCHEME = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def sign(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """The `X-BOI-Signature` value of `body` sent at `timestamp` (unix seconds)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return SCHEME + hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def verify(
    secret: str | bytes,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when `signature` signs exactly `body` at `timestamp`, and the timestamp is fresh.

    Rejects timestamps older (or further in the future) than `tolerance_seconds`. The comparison is
    constant-time.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body).encode(), signature.encode())


def signed_headers(secret: str | bytes, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of a webhook request."""
    return {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
