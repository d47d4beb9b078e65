"""Standard Webhooks signatures (https://www.standardwebhooks.com): each request carries `webhook-id`,
`webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`,
space-separated when several secrets are valid (during a rotation). A secret is `whsec_` + base64 of
random bytes; the key is the decoded bytes. Partners verify with the stock libraries."""

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
SECRET_BYTES = 24
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


def new_secret() -> str:
    """A fresh endpoint secret, `whsec_` + base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_from_key(key: bytes) -> str:
    """The `whsec_` form of raw key bytes (an old shared secret keeps its HMAC key)."""
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def key_of(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a webhook secret is whsec_ followed by base64") from exc
    if not key:
        raise ValueError("a webhook secret may not be empty")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `body` sent as `msg_id` at `timestamp` (unix seconds)."""
    message = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def webhook_id(event_id: str, endpoint: str) -> str:
    """The `webhook-id` of one event to one endpoint: the same on every attempt and replay."""
    return "msg_" + uuid.uuid5(uuid.NAMESPACE_URL, f"boi-webhook|{event_id}|{endpoint}").hex


def signed_headers(valid_secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of a webhook request, one signature per valid secret (newest first)."""
    return {
        "Content-Type": "application/json",
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: " ".join(sign(s, msg_id, timestamp, body) for s in valid_secrets),
    }
