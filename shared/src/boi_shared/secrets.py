"""The one check every secret setting of every service passes at start-up: no placeholder, no short key.

`ServiceSettings` runs it on each of its `SecretStr` fields, so a service refuses to start with
`BOI_SESSION_SECRET=CHANGE_ME` (anyone could sign an admin cookie with the example's value) instead of
running with it. An empty value stays allowed: each setting documents what empty means (feature off, or a
random key per process). Connection strings and user lists are marked `NotAKey`: they are checked for
placeholders only.
"""

import re
from dataclasses import dataclass

MIN_KEY_LENGTH = 16
"""Shortest key accepted: 16 characters (Meilisearch's own minimum for a master key in production)."""

# Words of the documentation and examples, compared after dropping everything but letters and digits.
PLACEHOLDERS = re.compile(r"changeme|replaceme|placeholder|yoursecret|yourtoken|yourpassword|notasecret")
WEAK_WHOLE = {
    "secret",
    "password",
    "token",
    "key",
    "admin",
    "test",
    "example",
    "default",
    "none",
    "null",
    "todo",
    "fixme",
}


@dataclass(frozen=True)
class NotAKey:
    """Marks a secret setting that is not a key (a connection string, a list of users): no length check."""


def secret_problem(value: str, *, is_key: bool = True) -> str | None:
    """Why `value` cannot be used as a secret, or None when it can (empty counts as unset)."""
    if not value:
        return None
    letters = re.sub(r"[^a-z0-9]", "", value.lower())
    if PLACEHOLDERS.search(letters) or letters in WEAK_WHOLE:
        return "it is a placeholder from the documentation, not a secret"
    if not is_key:
        return None
    if len(value) < MIN_KEY_LENGTH:
        return f"it is {len(value)} characters long; a key needs at least {MIN_KEY_LENGTH}"
    if len(set(value)) < 6:
        return "it repeats too few characters to be a random key"
    return None


def check_secret(env_name: str, value: str, *, is_key: bool = True) -> None:
    """Raise ValueError naming the variable (never the value) when `value` is not usable."""
    problem = secret_problem(value, is_key=is_key)
    if problem:
        raise ValueError(
            f"{env_name} is refused: {problem}. Generate one with "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(32))'` (or leave it empty where "
            "the setting allows it)"
        )
