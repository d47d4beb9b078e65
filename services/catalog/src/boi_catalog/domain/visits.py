"""Visitors without personal data: the daily-salted visitor id and the UTM values a page may report.

The id is the first 128 bits of SHA-256 over (the day's random salt, client address, user agent, site).
The salt is random per UTC day and deleted after 48 h (Plausible's scheme): one person counts once a day,
five times on five days, and once the salt is gone nobody can link an id back to an address.
"""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

SALT_KEEP_DAYS = 2
"""Salts of today and yesterday exist; older ones are deleted (48 h at most)."""

_TOKEN = re.compile(r"^[A-Za-z0-9_.-]{1,60}$")


def visitor_id(salt: bytes, address: str, user_agent: str, site: str) -> str:
    """32 hex characters; the inputs are not recoverable from it without the salt."""
    digest = hashlib.sha256()
    for part in (salt, address.encode(), user_agent.encode(), site.encode()):
        digest.update(len(part).to_bytes(4, "big"))  # length-prefixed: no ambiguity between fields
        digest.update(part)
    return digest.hexdigest()[:32]


def utc_day(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def oldest_kept_day(today: date) -> date:
    """Salts of days before this one must not exist any more."""
    return today - timedelta(days=SALT_KEEP_DAYS - 1)


def clean_token(value: str | None, *, lower: bool = False, max_length: int = 60) -> str | None:
    """A UTM value or channel detail as the event accepts it, or None when it is not a plain token."""
    if not value:
        return None
    value = value.strip()[:max_length]
    value = value.lower() if lower else value
    return value if _TOKEN.fullmatch(value) else None
