"""JSON APIs through declarative mappings: the real EU Funding & Tenders and challenge.gov samples, the
shape of Grants.gov search2 (constructed fixture), mapping errors and hostile input."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document
from boi_ingest.domain.parsers import MappingError, parse_document
from boi_ingest.domain.parsers.json_api import guess_mapping, lookup, parse_json
from boi_ingest.domain.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
EU = "api/eu_funding_tenders_search_response.json"
CHALLENGE = "api/challenge_gov_challenges_2021-07-13.json"
TOPIC = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/"
    "HORIZON-CL4-2025-04-DATA-03"
)


def test_eu_sample_gives_one_call_per_topic_in_the_preferred_language(shared_data: Path) -> None:
    document = (shared_data / EU).read_bytes()
    assert guess_mapping(document) == "eu_funding_tenders"
    parsed = parse_json(document, "eu_funding_tenders")
    [call] = parsed.items  # sv, cs and en results of one topic; two type-6 news results
    assert (call.url, call.language) == (TOPIC, "en")
    assert call.title == "Software Engineering for AI and generative AI (RIA) (AI/Data/Robotics Partnership)"
    assert call.published_at == datetime(2025, 6, 10, tzinfo=UTC)
    assert call.text.startswith("Expected Outcome: Improved methods and tools")
    assert "<" not in call.text and call.text.endswith("Deadline: 2025-10-02.")
    assert sum("excluded by the mapping (metadata.type = 6)" in s for s in parsed.skipped) == 2
    assert parsed.entries == 5 and parsed.feed_type == "json_api"


def test_eu_language_preference_is_part_of_the_mapping(shared_data: Path) -> None:
    document = (shared_data / EU).read_bytes()
    mapping = {
        "items": "results",
        "title": ["metadata.title", "summary"],
        "url": "metadata.url",
        "language": "metadata.language",
        "prefer_languages": ["cs"],
        "exclude": {"metadata.type": ["6"]},
    }
    [call] = parse_json(document, mapping).items
    assert (call.language, call.title) == (
        "cs",
        "Softwarové inženýrství pro AI a generativní AI (RIA) (AI/Data/Robotics Partnership)",
    )


def test_challenge_gov_sample_as_a_generic_mapping(shared_data: Path) -> None:
    document = (shared_data / CHALLENGE).read_bytes()
    raw = json.loads(document)
    parsed = parse_document(Document(document), "json_api", "challenge_gov")
    assert parsed.entries == len(raw) == 37
    assert len(parsed.items) == 36  # two challenges share one landing page
    assert parsed.skipped == ["entry 18: same link as entry 10 (https://innocentive.wazoku.com/)"]
    first = parsed.items[0]
    assert (first.title, first.url, first.language) == (
        "Synthetic Health Data Challenge",
        "https://www.challenge.gov/challenge/synthetic-health-data-challenge/",
        "en",
    )
    # nanosecond fractions are cut to microseconds; the deadline keeps its own day (-04:00)
    assert first.published_at == datetime(2021, 2, 4, 22, 43, 41, 854498, tzinfo=UTC)
    assert "Funder: Department of Health & Human Services" in first.text
    assert first.text.endswith("Deadline: 2021-07-13.")


def test_grants_gov_search2_shape() -> None:
    parsed = parse_json((FIXTURES / "grants_gov_search2_constructed.json").read_bytes(), "grants_gov")
    first, second, third = parsed.items
    assert first.url == "https://www.grants.gov/search-results-detail/359901"
    assert first.published_at == datetime(2026, 10, 1, tzinfo=UTC)  # MM/DD/YYYY, as the mapping says
    assert first.text == (
        "Opportunity DOS-BOG-27-001 (synopsis, posted). Assistance listings: 19.040. "
        "Funder: U.S. Mission to Colombia. Deadline: 2027-01-15."
    )
    assert second.title == "International Research Experiences for Students (IRES)"  # markup cleaned
    assert "Funder: U.S. National Science Foundation." in second.text  # agencyName as the fallback
    assert third.text == "Opportunity USAID-LAC-27-003. Funder: USAID."  # no close date: none invented
    assert {i.language for i in parsed.items} == {"en"}


def test_dotted_paths() -> None:
    data = {"a": {"b": [{"c": 1}, {"c": 2}]}}
    assert lookup(data, "a.b.1.c") == 2
    assert lookup(data, "") is data
    assert lookup(data, "a.x") is not None  # the missing marker, never a value
    assert lookup(data, "a.b.5") == lookup(data, "a.x")


def test_a_missing_items_path_names_the_field() -> None:
    with pytest.raises(
        MappingError,
        match=r"mapping field 'items': path 'data\.oppHits' not found in the document "
        r"\(it has: errorcode, msg\)",
    ):
        parse_json(b'{"errorcode": 0, "msg": "ok"}', "grants_gov")


def test_a_title_path_no_entry_has_names_the_field() -> None:
    mapping = {"items": "data.oppHits", "title": "titulo", "url": "https://e.org/{id}"}
    with pytest.raises(
        MappingError,
        match=r"no usable JSON entry out of 3: entry 1: mapping field 'title': no value at 'titulo'",
    ):
        parse_json((FIXTURES / "grants_gov_search2_constructed.json").read_bytes(), mapping)


def test_invalid_mappings_are_explained() -> None:
    with pytest.raises(MappingError, match="invalid JSON mapping: url: Field required"):
        parse_json(b"[]", {"title": "name"})
    with pytest.raises(MappingError, match="invalid JSON mapping: colour: Extra inputs"):
        parse_json(b"[]", {"title": "name", "url": "u", "colour": "x"})
    with pytest.raises(MappingError, match="'items': 'the document' is not a list"):
        parse_json(b'{"a": 1}', {"title": "name", "url": "u"})


def test_hostile_and_broken_json() -> None:
    mapping = {"title": "t", "url": "u", "text": "d"}
    entry = {
        "t": '<script>alert("x")</script>Beca <b>completa</b>' + " larga" * 200,
        "u": "https://e.org/beca?utm_source=mail#top",
        "d": "<p>Texto</p><style>p{}</style>" + " palabra" * 5000,
    }
    [item] = parse_json(json.dumps([entry]).encode(), mapping).items
    assert item.title.startswith("Beca completa larga") and "alert" not in item.title
    assert len(item.title) <= MAX_TITLE_CHARS and item.title.endswith("…")
    assert len(item.text) <= MAX_TEXT_CHARS and item.text.startswith("Texto palabra")
    assert item.url == "https://e.org/beca"
    with pytest.raises(FeedError, match="not valid JSON: Expecting"):
        parse_json(b'{"results": [', "eu_funding_tenders")
    with pytest.raises(FeedError, match="not UTF-8 JSON"):
        parse_json('[{"t": "Año"}]'.encode("cp1252"), mapping)
    with pytest.raises(FeedError, match="not valid JSON: Exceeds the limit"):
        parse_json(b'[{"t": ' + b"9" * 5000 + b"}]", mapping)
    with pytest.raises(FeedError, match="nested too deeply"):
        parse_json(b"[" * 100_000 + b"]" * 100_000, mapping)


def test_entries_without_a_usable_link_are_skipped_with_a_reason() -> None:
    document = json.dumps(
        [
            {"t": "Sin enlace"},
            {"t": "Enlace raro", "u": "javascript:alert(1)"},
            {"t": "Relativo", "u": "/becas/1"},
            {"t": "Buena", "u": "https://e.org/b"},
        ]
    ).encode()
    parsed = parse_json(document, {"title": "t", "url": "u"})
    assert [i.url for i in parsed.items] == ["https://e.org/b"]
    assert parsed.skipped[0] == "entry 1: mapping field 'url': no value at 'u'"
    assert parsed.skipped[1].startswith("entry 2: unusable link: not an http(s) URL")
    relative = parse_json(document, {"title": "t", "url": "u"}, base_url="https://portal.example.org/api")
    assert "https://portal.example.org/becas/1" in [i.url for i in relative.items]
