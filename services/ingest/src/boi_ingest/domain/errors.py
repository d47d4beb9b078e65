"""Why a source could not be ingested, in words an operator can act on."""

from boi_shared.errors import PermanentError


class SourceError(Exception):
    """A source could not be read; the message says what went wrong and what to do."""


class FetchError(SourceError):
    """The document could not be fetched (missing file, HTTP error, timeout, too large)."""


class FeedError(SourceError, PermanentError):
    """The document is not an acceptable feed (hostile XML, not RSS/Atom, ill-formed without entries)."""
