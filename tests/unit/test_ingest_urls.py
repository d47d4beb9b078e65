"""Canonical URLs of ingest: one call, one URL, one id, whatever tracking link it came through."""

import pytest

from boi_ingest.domain.urls import canonical_url
from boi_shared.ids import CALL_ID_PATTERN, call_id_for


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://Example.ORG/Becas/Japon?id=3#requisitos", "https://example.org/Becas/Japon?id=3"),
        ("https://example.org/a?utm_source=x&id=3&UTM_Medium=y", "https://example.org/a?id=3"),
        ("https://example.org/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org", "https://example.org/"),
        ("  https://example.org/a b  ", "https://example.org/a%20b"),
        ("https://example.org/a?q=caf%C3%A9&b=1+2", "https://example.org/a?q=caf%C3%A9&b=1+2"),
        ("https://[2001:DB8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_tracking_variants_of_one_call_share_its_id() -> None:
    ids = {
        call_id_for(canonical_url(u))
        for u in (
            "https://example.org/beca?id=1",
            "https://EXAMPLE.org/beca?utm_campaign=a&id=1#top",
            "https://example.org/beca?id=1&fbclid=zz",
        )
    }
    assert len(ids) == 1
    import re

    assert re.fullmatch(CALL_ID_PATTERN, ids.pop())


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "/relative/path",
        "mailto:a@b.org",
        "file:///etc/passwd",
        "https://",
        "https://example.org:99999/",
    ],
)
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        canonical_url(bad)


def test_every_tracking_parameter_is_removed() -> None:
    url = (
        "https://example.org/beca?id=7&utm_source=a&utm_medium=b&utm_campaign=c&fbclid=d&gclid=e"
        "&mc_cid=f&mc_eid=g&_hsenc=h&_hsmi=i&ref=j&igshid=k#aplicar"
    )
    assert canonical_url(url) == "https://example.org/beca?id=7"
    assert (
        canonical_url("https://example.org/beca?referencia=1&ref=x")
        == "https://example.org/beca?referencia=1"
    )
