"""Values the ingest use cases pass around: sources, fetched documents, feed items, stored state."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from boi_ingest.domain.urls import canonical_url, is_http_url
from boi_shared.events import SourceRef


@dataclass(frozen=True)
class Source:
    """A feed to ingest: where it lives and the id its calls are attributed to.

    `tags` are the registered source's default tags, for the raw calls it emits.
    """

    source_id: str
    location: str
    tags: tuple[str, ...] = ()

    @classmethod
    def from_location(cls, location: str) -> "Source":
        """Id of an unregistered source: the canonical URL of a feed, `file:<name>` of a local file."""
        location = location.strip()
        if is_http_url(location):
            try:
                return cls(canonical_url(location), location)
            except ValueError:
                return cls(location, location)
        return cls(f"file:{PurePath(location).name}", location)


@dataclass(frozen=True)
class Validators:
    """What a server said to recognise an unchanged document next time (conditional GET)."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class Document:
    """A fetched document: its bytes, and what the transport said about them.

    `not_modified` is a 304 answer to a conditional GET: no content, nothing to ingest.
    """

    content: bytes
    content_type: str | None = None
    base_url: str | None = None
    validators: Validators = field(default_factory=Validators)
    not_modified: bool = False


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, normalized: clean text, canonical URL, stable id and content hash."""

    call_id: str
    url: str
    item_url: str
    title: str
    text: str
    content_hash: str
    language: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """The usable items of a feed, the entries skipped (with why), and a note if it was ill-formed."""

    feed_type: str
    items: list[FeedItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warning: str | None = None

    @property
    def entries(self) -> int:
        return len(self.items) + len(self.skipped)


@dataclass(frozen=True)
class ItemState:
    """What ingest last emitted for an item: the content hash and its version.

    `call_id` is the call the item was merged into when it is a near-duplicate of another item (None: the
    item is its own call); `sources` are the sources its call lists.
    """

    content_hash: str
    version: int
    call_id: str | None = None
    sources: tuple[SourceRef, ...] = ()
