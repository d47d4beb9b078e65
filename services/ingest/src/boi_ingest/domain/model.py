"""Values the ingest use cases pass around: sources, fetched documents, feed items, stored state."""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from boi_ingest.domain.urls import canonical_url, is_http_url


@dataclass(frozen=True)
class Source:
    """A feed to ingest: where it lives and the id its calls are attributed to."""

    source_id: str
    location: str

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
class Document:
    """A fetched document: its bytes, and what the transport said about them."""

    content: bytes
    content_type: str | None = None
    base_url: str | None = None


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
    """What ingest last emitted for a call: the content hash and its version."""

    content_hash: str
    version: int
