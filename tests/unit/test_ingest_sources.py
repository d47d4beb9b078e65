"""Source declarations: one location per type, hints validated, mappings checked at registration, jitter."""

import random

import pytest
from pydantic import ValidationError

from boi_ingest.domain.sources import SourceConfig, SourceType, guess_type


def test_a_source_needs_exactly_one_location_except_manual() -> None:
    feed = SourceConfig(id="mauritius", type="atom", url="https://example.org/feed.atom")
    assert (feed.location, feed.enabled, feed.to_source().source_id) == (
        "https://example.org/feed.atom",
        True,
        "mauritius",
    )
    with pytest.raises(ValidationError, match="exactly one of url or file"):
        SourceConfig(id="x", type="rss")
    with pytest.raises(ValidationError, match="exactly one of url or file"):
        SourceConfig(id="x", type="rss", url="https://e.org/f", file="f.xml")
    with pytest.raises(ValidationError, match="absolute http"):
        SourceConfig(id="x", type="rss", url="ftp://e.org/f")
    assert SourceConfig(id="manual", type="manual").location == ""
    with pytest.raises(ValidationError, match="manual source has no url"):
        SourceConfig(id="m", type="manual", url="https://e.org")


def test_hints_are_validated() -> None:
    config = SourceConfig(id="a", type="csv", file="a.csv", language="ES", tags=[" becas ", "becas", ""])
    assert (config.language, config.tags) == ("es", ["becas"])
    with pytest.raises(ValidationError, match="ISO 639-1"):
        SourceConfig(id="a", type="csv", file="a.csv", language="spanish")
    with pytest.raises(ValidationError):
        SourceConfig(id="has space", type="csv", file="a.csv")
    with pytest.raises(ValidationError):
        SourceConfig(id="a", type="csv", file="a.csv", jitter=1.5)


def test_mappings_are_checked_when_a_source_is_declared() -> None:
    assert SourceConfig(id="eu", type="json_api", url="https://e.org/s", mapping="eu_funding_tenders")
    with pytest.raises(ValidationError, match="needs a mapping"):
        SourceConfig(id="eu", type="json_api", url="https://e.org/s")
    with pytest.raises(ValidationError, match="unknown JSON mapping 'nope'"):
        SourceConfig(id="eu", type="json_api", url="https://e.org/s", mapping="nope")
    with pytest.raises(ValidationError, match="not a CSS selector"):
        SourceConfig(id="h", type="html", url="https://e.org/", mapping={"item": "article[", "title": "h2"})
    with pytest.raises(ValidationError, match="takes no mapping"):
        SourceConfig(id="f", type="rss", url="https://e.org/f", mapping="grants_gov")


def test_jitter_spreads_runs_around_the_interval() -> None:
    config = SourceConfig(id="a", type="rss", url="https://e.org/f", interval_seconds=600, jitter=0.2)
    rng = random.Random(7)
    delays = [config.next_delay(rng) for _ in range(500)]
    assert 480 <= min(delays) < 500 and 700 < max(delays) <= 720
    fixed = SourceConfig(id="b", type="rss", url="https://e.org/f", interval_seconds=60, jitter=0)
    assert fixed.next_delay(rng) == 60


def test_a_failing_source_waits_longer_after_each_failure_up_to_a_day() -> None:
    hourly = SourceConfig(id="h", type="rss", url="https://e.org/f", interval_seconds=3600, jitter=0)
    waits = [hourly.next_delay(failures=n) for n in range(8)]
    assert waits == [3600, 3600, 7200, 14400, 28800, 57600, 86400, 86400]
    assert hourly.next_delay(failures=10_000) == 86400
    weekly = SourceConfig(id="w", type="rss", url="https://e.org/f", interval_seconds=604800, jitter=0)
    assert weekly.next_delay(failures=5) == 604800  # never shorter than its own interval


def test_bare_locations_keep_their_legacy_ids() -> None:
    by_file = SourceConfig.from_location("feeds/convocatorias.xml", interval_seconds=300, jitter=0.05)
    assert (by_file.id, by_file.type, by_file.file, by_file.interval_seconds) == (
        "file:convocatorias.xml",
        SourceType.RSS,
        "feeds/convocatorias.xml",
        300,
    )
    by_url = SourceConfig.from_location("https://Example.org/feed.atom?utm_source=x")
    assert (by_url.id, by_url.type) == ("https://example.org/feed.atom", SourceType.ATOM)


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("a.json", "json_api"),
        ("https://e.org/listado.html?x=1", "html"),
        ("historico.CSV", "csv"),
        ("historico.xlsx", "xlsx"),
        ("feed.xml", "rss"),
        ("https://e.org/api", None),
    ],
)
def test_type_from_the_name(location: str, kind: str | None) -> None:
    assert guess_type(location) == kind
