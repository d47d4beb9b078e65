"""Stable identifiers: call ids from canonical URLs and deterministic event ids for idempotent replays."""

import hashlib
import uuid
from typing import Annotated

from pydantic import StringConstraints

CALL_ID_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
CallId = Annotated[str, StringConstraints(pattern=CALL_ID_PATTERN)]

_EVENT_NAMESPACE = uuid.UUID("6f0c6a52-5f7e-4a53-9a0e-8a6a1d0b0b01")


def call_id_for(canonical_url: str) -> str:
    """Meilisearch-safe id derived from the canonical URL: the same call always gets the same id."""
    digest = hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()
    return f"c-{digest[:24]}"


def event_id_for(*parts: object) -> uuid.UUID:
    """Deterministic event id: re-emitting the same fact after a crash yields the same id."""
    return uuid.uuid5(_EVENT_NAMESPACE, "|".join(str(p) for p in parts))


def content_hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()
