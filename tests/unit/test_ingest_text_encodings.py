"""JSON and CSV saved as UTF-16/32 (with a byte order mark, as Windows tools save them, or without one,
detected as RFC 8259 and RFC 4627 describe) are read like UTF-8 (issue 14)."""

import codecs
import json
from pathlib import Path

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.parsers.json_api import guess_mapping, parse_json
from boi_ingest.domain.parsers.tabular import parse_csv

ENCODINGS = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8-sig"]
CHALLENGE = [
    {
        "name": "Premio de innovación pública — Bogotá",
        "details_url": "https://www.challenge.gov/challenge/premio-innovacion/",
        "summary": "Un premio para equipos de ciudadanía que mejoran servicios públicos.",
        "agency": "Agencia",
        "deadline": "2027-01-15T23:59:00-05:00",
    }
]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_json_in_any_unicode_encoding_finds_its_mapping_and_calls(encoding: str) -> None:
    document = json.dumps(CHALLENGE, ensure_ascii=False, indent=1).encode(encoding)
    assert guess_mapping(document) == "challenge_gov"
    [call] = parse_json(document, "challenge_gov").items
    assert call.title == "Premio de innovación pública — Bogotá"


def test_the_real_sample_saved_as_utf16_by_a_windows_tool(shared_data: Path) -> None:
    text = (shared_data / "api/eu_funding_tenders_search_response.json").read_text(encoding="utf-8")
    document = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert guess_mapping(document) == "eu_funding_tenders"
    assert len(parse_json(document, "eu_funding_tenders").items) == 1


def test_json_that_is_not_unicode_is_a_clear_error() -> None:
    with pytest.raises(FeedError, match="not UTF-8 JSON \\(nor UTF-16 or UTF-32\\)"):
        parse_json(b'[{"name": "caf\xe9"}]', "challenge_gov")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_csv_with_a_byte_order_mark_is_read(encoding: str) -> None:
    document = "Título;Enlace\nBeca de creación;https://e.org/beca\n".encode(encoding)
    [call] = parse_csv(document).items
    assert (call.title, call.url) == ("Beca de creación", "https://e.org/beca")
