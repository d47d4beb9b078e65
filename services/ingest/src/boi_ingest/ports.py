"""Ports of the ingest use cases (what they need from the outside) and the report of one run."""

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, Field

from boi_ingest.domain.dedup import Signature, SignatureIndex
from boi_ingest.domain.model import Document, FeedItem, ItemState, ParsedFeed, Validators
from boi_ingest.domain.normalize import Normalized
from boi_ingest.domain.plan import InFlight, ItemRecord
from boi_ingest.domain.requests import SourceRequest
from boi_shared.events import CallIngested


class Fetcher(Protocol):
    """Gets the document a source location points at; raises FetchError with an actionable message.

    With `validators` from an earlier fetch it asks conditionally; a 304 is a `not_modified` document.
    `request` is the source's declared HTTP request (method, body, headers); None asks with a GET.
    """

    async def fetch(
        self, location: str, validators: Validators | None = None, request: SourceRequest | None = None
    ) -> Document: ...


class FetchStateStore(Protocol):
    """Conditional-GET validators (ETag, Last-Modified) remembered per source."""

    async def validators(self, source_id: str) -> Validators: ...

    async def save_validators(self, source_id: str, validators: Validators) -> None: ...


class ItemStore(FetchStateStore, Protocol):
    """Per item (id from its URL): what was last emitted; per call: its last event; the signatures."""

    async def ping(self) -> bool: ...

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]: ...

    async def record(
        self,
        call_id: str,
        *,
        content_hash: str,
        version: int,
        url: str,
        source_id: str,
        seen_at: datetime,
    ) -> bool: ...

    async def record_many(self, records: Sequence[ItemRecord], seen_at: datetime) -> None: ...

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None:
        """Mark unchanged items as seen (not used on the ingest path: too slow on FerretDB)."""
        ...

    async def calls(self, call_ids: Sequence[str]) -> dict[str, CallIngested]: ...

    async def signature_index(self, since: datetime) -> SignatureIndex:
        """The signatures seen since `since`; the store adds the ones it is given later."""
        ...

    async def add_signatures(self, signatures: Sequence[Signature], seen_at: datetime) -> None: ...

    async def hold(self, source_id: str, flights: Sequence[InFlight]) -> None:
        """Keep events (and their records) before they are published, until `release`."""
        ...

    async def held(self, source_id: str) -> list[InFlight]:
        """What a run of this source published (or was about to) and never recorded."""
        ...

    async def release(self, events: Sequence[CallIngested]) -> None: ...


Publish = Callable[[Sequence[CallIngested]], Awaitable[list[BaseException | None]]]
"""Publishes events to calls.raw.v1 (key = call id) in order and returns once Kafka acknowledged or
refused each: per event, None or why it failed."""
Parse = Callable[[Document], ParsedFeed]
"""Turns a fetched document into items (RSS/Atom by default; the source type decides)."""


class IngestReport(BaseModel):
    """What one run of one source did."""

    source: str = Field(description="The location ingested: file path or URL")
    source_id: str = Field(description="Id the calls are attributed to")
    fetched: int = Field(default=0, description="Entries in the feed")
    new: int = Field(default=0, description="Calls seen for the first time (version 1 emitted)")
    updated: int = Field(default=0, description="Calls whose content changed (a new version emitted)")
    unchanged: int = Field(default=0, description="Calls with the same content as last time")
    skipped: int = Field(default=0, description="Entries without a usable link or title")
    duplicate: int = Field(
        default=0, description="Entries recognised as a call already known from another URL (merged)"
    )
    recovered: int = Field(
        default=0,
        description="Events an earlier run published (or was about to) but never recorded: published "
        "again, identical, before anything new",
    )
    not_modified: bool = Field(default=False, description="The server answered 304: nothing to read")
    errors: list[str] = Field(default_factory=list, description="Why the source (or part) failed")
    warnings: list[str] = Field(default_factory=list, description="Skipped entries, lenient parsing")


Normalize = Callable[[Sequence[FeedItem]], Awaitable[list[Normalized]]]
"""What normalizing finds in each item (language, date and funder candidates), in order: in this
process (`domain.normalize.normalize_here`) or in worker processes (`adapters.normalizer_pool`)."""
