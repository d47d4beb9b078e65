"""What to parse a document as, and the parse itself: pure, run in the parser worker or in process."""

from dataclasses import dataclass

from boi_ingest.domain.model import Document, ParsedFeed
from boi_ingest.domain.parsers import MappingError, parse_document


@dataclass(frozen=True)
class ParseJob:
    """What to parse a document as: the source type, its mapping (None for a JSON document: the shipped
    mapping it fits) and the language hint."""

    source_type: str
    mapping: object = None
    language: str | None = None


def parse_job(document: Document, job: ParseJob) -> ParsedFeed:
    """Parse one document as the job says (in the worker, or here)."""
    mapping = job.mapping
    if job.source_type == "json_api" and mapping is None:
        from boi_ingest.domain.parsers.json_api import SHIPPED, guess_mapping

        mapping = guess_mapping(document.content)
        if mapping is None:
            raise MappingError(
                f"no shipped mapping fits this JSON ({', '.join(SHIPPED)}): give the source its mapping"
            )
    return parse_document(document, job.source_type, mapping, job.language)
