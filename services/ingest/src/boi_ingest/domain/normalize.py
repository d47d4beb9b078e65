"""A parsed item becomes a raw call: language detected, deadline and funder candidates kept, and the
signature near-duplicate detection compares."""

from collections.abc import Sequence
from dataclasses import dataclass

from boi_ingest.domain.candidates import deadline_candidates, funder_candidates
from boi_ingest.domain.dedup import Signature
from boi_ingest.domain.language import detect_language
from boi_ingest.domain.model import FeedItem
from boi_shared.events import DateCandidate, RawCall, SourceRef


@dataclass(frozen=True)
class Normalized:
    """What normalizing an item finds: the CPU-bound part of ingesting (language detection, date and
    funder candidates), kept apart so that worker processes can compute it."""

    language: str | None
    deadline_candidates: list[DateCandidate]
    funder_candidates: list[str]


def normalize(item: FeedItem) -> Normalized:
    whole = f"{item.title}. {item.text}" if item.text else item.title
    language = detect_language(whole, item.language)
    return Normalized(language, deadline_candidates(whole, language), funder_candidates(whole))


def normalize_all(items: Sequence[FeedItem]) -> list[Normalized]:
    return [normalize(item) for item in items]


def raw_call(
    item: FeedItem,
    sources: Sequence[SourceRef],
    tags: Sequence[str] = (),
    normalized: Normalized | None = None,
) -> RawCall:
    """The normalized call of an item, attributed to `sources` (`normalized`: computed beforehand)."""
    found = normalized or normalize(item)
    return RawCall(
        url=item.url,
        title=item.title,
        text=item.text,
        language=found.language,
        published_at=item.published_at,
        content_hash=item.content_hash,
        sources=list(sources),
        tags=list(tags),
        deadline_candidates=found.deadline_candidates,
        funder_candidates=found.funder_candidates,
    )


def signature_of(item_id: str, call_id: str, call: RawCall, source_id: str = "") -> Signature:
    """The signature of an item (`item_id`, from its own URL, announced by `source_id`) of `call_id`."""
    return Signature.of(
        call_id,
        call.title,
        deadlines=(c.date.isoformat() for c in call.deadline_candidates),
        funders=call.funder_candidates,
        item_id=item_id,
        source_id=source_id,
    )


async def normalize_here(items: Sequence[FeedItem]) -> list[Normalized]:
    """`normalize_all` as a `ports.Normalize`: in this process."""
    return normalize_all(items)
