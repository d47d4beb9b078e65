"""Pure parts of the catalog's web surfaces: search parameters and Meilisearch filters, safe JSON-LD,
share links, the rate limit, passwords and sessions, and feeds written from hostile titles."""

import base64
import json
from datetime import UTC, date, datetime

import feedparser
import icalendar
import pytest
from fastapi import HTTPException
from starlette.requests import Request

from boi_catalog.domain.search import MAX_TOTAL_HITS
from boi_catalog.web.auth import Sessions, User, hash_password, parse_users, verify_password
from boi_catalog.web.feeds import deadlines_ics, feed_xml
from boi_catalog.web.present import json_ld, safe_href, share_links
from boi_catalog.web.public_search import tenant_token
from boi_catalog.web.query import meili_body, meili_filter, parse
from boi_catalog.web.security import RateLimiter, security_headers

HOSTILE = "</script><script>alert(1)</script> & <!-- Beca"


def test_unknown_filter_values_are_dropped_and_quotes_escaped() -> None:
    p = parse('beca "x"', "no-such-type", "maybe", "e'n", "random")
    assert (p.call_type, p.eligibility, p.language, p.sort) == ("", "", "", "relevancia")
    body = meili_body(p)
    assert body["filter"] == ['status IN ["publicada", "cierra_pronto"]']
    assert body["q"] == 'beca "x"' and "sort" not in body and body["facets"]


def test_cierra_pronto_keeps_open_calls_by_deadline() -> None:
    p = parse("", "beca", "si", "ES", "cierra_pronto")
    assert meili_filter(p, now=1000) == [
        'status IN ["publicada", "cierra_pronto"]',
        'call_type = "beca"',
        'colombia_eligible = "si"',
        'language = "es"',
        "deadline_ts >= 1000",
    ]
    assert meili_body(p)["sort"] == ["deadline_ts:asc"]
    closed = parse(closed=True)
    assert meili_body(closed)["filter"] == ['status = "cerrada"'] and meili_body(closed)["sort"] == [
        "deadline_ts:desc"
    ]
    assert parse(limit=500, offset=-3).limit == 50 and parse(offset=10**9).offset == MAX_TOTAL_HITS


def test_json_ld_cannot_close_its_script_element() -> None:
    text = json_ld({"name": HOSTILE})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == HOSTILE


def test_share_links_are_plain_and_encoded() -> None:
    links = dict(share_links("Beca & más", "https://boi.example/convocatorias/c-1"))
    assert links["WhatsApp"].startswith("https://wa.me/?text=Beca+%26+m")
    assert (
        links["Correo"]
        == "mailto:?subject=Beca%20%26%20m%C3%A1s&body=https%3A//boi.example/convocatorias/c-1"
    )
    assert safe_href("javascript:alert(1)") is None and safe_href("https://x.org/a") == "https://x.org/a"


def test_csp_allows_only_own_scripts() -> None:
    csp = security_headers()["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "connect-src 'self';" in csp
    assert (
        "connect-src 'self' http://meili:7700;"
        in security_headers("http://meili:7700")["Content-Security-Policy"]
    )


def test_token_bucket_limits_a_client_and_never_keeps_its_ip() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert limiter.take("10.0.0.1", now=100.0) == 0 and limiter.take("10.0.0.1", now=100.0) == 0
    wait = limiter.take("10.0.0.1", now=100.0)
    assert 0 < wait <= 1.0
    assert limiter.take("10.0.0.2", now=100.0) == 0  # another client has its own bucket
    assert limiter.take("10.0.0.1", now=101.5) == 0  # refilled at 1 per second
    assert not any("10.0.0" in key for key in limiter._buckets)
    assert RateLimiter(per_minute=0, burst=1).take("x") == 0  # 0 disables it


def test_passwords_hash_and_verify() -> None:
    encoded = hash_password("s3creta", iterations=1000)
    assert encoded.startswith("pbkdf2_sha256$1000$")
    assert verify_password("s3creta", encoded) and not verify_password("otra", encoded)
    assert not verify_password("s3creta", "garbage")
    with pytest.raises(ValueError, match="bad entry"):
        parse_users("ana:superuser:pbkdf2_sha256$1$a$b")


def _request(cookies: dict[str, str]) -> Request:
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return Request({"type": "http", "headers": [(b"cookie", header.encode())] if header else []})


async def test_sessions_sign_in_roles_and_csrf() -> None:
    ana, carlos_hash = hash_password("a", iterations=1000), hash_password("c", iterations=1000)
    spec = f"ana:admin:{ana},carlos:curator:{carlos_hash}"
    sessions = Sessions(spec, "secret", secure=False)
    assert await sessions.authenticate("ana", "mala") is None
    assert await sessions.authenticate("nadie", "a") is None
    carlos = await sessions.authenticate("carlos", "c")
    assert carlos is not None and carlos.role == "curator"
    request = _request({"boi_console": sessions.cookie(carlos)})
    assert sessions.require(request) == carlos
    with pytest.raises(HTTPException) as denied:
        sessions.require(request, "admin")
    assert denied.value.status_code == 403
    with pytest.raises(HTTPException) as anonymous:
        sessions.require(_request({}))
    assert anonymous.value.status_code == 401
    forged = Sessions(spec, "another-secret", secure=False).cookie(User("ana", "admin", "x"))
    assert sessions.user(_request({"boi_console": forged})) is None
    with pytest.raises(HTTPException):
        sessions.check_csrf(carlos, "wrong")
    sessions.check_csrf(carlos, carlos.csrf)


def test_tenant_token_carries_the_public_filter() -> None:
    token = tenant_token("uid-1", "key", "calls", 'status IN ["publicada"]', 2_000_000_000)
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims == {
        "searchRules": {"calls": {"filter": 'status IN ["publicada"]'}},
        "apiKeyUid": "uid-1",
        "exp": 2_000_000_000,
    }


def test_feeds_escape_hostile_titles() -> None:
    hits = [
        {
            "id": "c-" + "1" * 24,
            "title": HOSTILE,
            "summary": "Resumen",
            "call_type": "beca",
            "deadline": "2031-03-15",
            "colombia_eligible": "si",
            "published_ts": 1_800_000_000,
        }
    ]
    for atom in (False, True):
        parsed = feedparser.parse(feed_xml(hits, "https://boi.example", "https://boi.example/f", atom=atom))
        assert not parsed.bozo and parsed.entries[0].title == HOSTILE
    cal = icalendar.Calendar.from_ical(deadlines_ics(hits, "https://boi.example", datetime.now(UTC)))
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == date(2031, 3, 15) and str(event["summary"]) == f"Cierre: {HOSTILE}"


def test_hash_password_command_prints_a_users_entry() -> None:
    from typer.testing import CliRunner

    from boi_catalog.web.cli_users import app

    result = CliRunner().invoke(app, ["hash-password", "ana", "--role", "admin"], input="s3creta\ns3creta\n")
    assert result.exit_code == 0, result.output
    entry = result.output.strip().splitlines()[-1]
    [(name, (role, encoded))] = parse_users(entry).items()
    assert (name, role) == ("ana", "admin") and verify_password("s3creta", encoded)


def test_pages_ask_meilisearch_for_an_exact_total_and_free_offsets_still_work() -> None:
    on_a_page = meili_body(parse(limit=20, offset=4980), facets=False)
    assert on_a_page["page"] == 250 and on_a_page["hitsPerPage"] == 20
    assert "offset" not in on_a_page and "limit" not in on_a_page
    between = meili_body(parse(limit=20, offset=7), facets=False)
    assert between["offset"] == 7 and between["limit"] == 20 and "page" not in between
