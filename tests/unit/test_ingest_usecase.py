"""The ingest use case on fakes: versions, idempotent re-emission, publish-before-record, bad sources."""

from collections.abc import Sequence
from datetime import datetime

import pytest

from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Document, ItemState, Source
from boi_ingest.service import ingest_all, ingest_source
from boi_shared.events import CallIngested
from boi_shared.ids import event_id_for


def rss(*items: tuple[str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{d}</description></item>"
        for t, link, d in items
    )
    return f'<rss version="2.0"><channel><title>f</title>{body}</channel></rss>'.encode()


class FakeFetcher:
    def __init__(self, documents: dict[str, bytes | Exception]) -> None:
        self.documents = documents

    async def fetch(self, location: str) -> Document:
        found = self.documents[location]
        if isinstance(found, Exception):
            raise found
        return Document(found)


class FakeStore:
    def __init__(self, log: list[str]) -> None:
        self.items: dict[str, dict[str, object]] = {}
        self.log = log

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]:
        return {
            i: ItemState(str(self.items[i]["content_hash"]), int(self.items[i]["version"]))  # type: ignore[call-overload]
            for i in call_ids
            if i in self.items
        }

    async def record(
        self, call_id: str, *, content_hash: str, version: int, url: str, source_id: str, seen_at: datetime
    ) -> bool:
        self.log.append(f"record {call_id} v{version}")
        self.items[call_id] = {
            "content_hash": content_hash,
            "version": version,
            "url": url,
            "source_id": source_id,
            "seen_at": seen_at,
        }
        return True

    async def touch(self, call_ids: Sequence[str], seen_at: datetime) -> None:
        for i in call_ids:
            self.items[i]["seen_at"] = seen_at


class Publisher:
    def __init__(self, log: list[str], fail_at: int | None = None) -> None:
        self.events: list[CallIngested] = []
        self.log = log
        self.fail_at = fail_at

    async def __call__(self, event: CallIngested) -> None:
        if self.fail_at is not None and len(self.events) == self.fail_at:
            raise ConnectionError("kafka unreachable")
        self.log.append(f"publish {event.call_id} v{event.version}")
        self.events.append(event)


FEED = "https://example.org/feed.xml"
A = ("Beca A", "https://example.org/a?utm_source=x", "Texto A")
B = ("Premio B", "https://example.org/b", "Texto B")


@pytest.fixture
def log() -> list[str]:
    return []


async def test_versions_follow_content_changes(log: list[str]) -> None:
    store, publish = FakeStore(log), Publisher(log)
    source = Source.from_location(FEED)
    first = await ingest_source(source, FakeFetcher({FEED: rss(A, B)}), store, publish)
    assert (first.fetched, first.new, first.updated, first.unchanged, first.errors) == (2, 2, 0, 0, [])
    a = publish.events[0]
    assert a.version == 1 and a.call.url == "https://example.org/a"
    assert a.event_id == event_id_for("ingested", a.call_id, 1)
    assert a.call.sources[0].model_dump() == {
        "source_id": FEED,
        "source_type": "rss",
        "item_url": "https://example.org/a?utm_source=x",
    }

    again = await ingest_source(source, FakeFetcher({FEED: rss(A, B)}), store, publish)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert len(publish.events) == 2

    changed = ("Beca A", A[1], "Texto A, ahora con fecha de cierre")
    third = await ingest_source(source, FakeFetcher({FEED: rss(changed, B)}), store, publish)
    assert (third.new, third.updated, third.unchanged) == (0, 1, 1)
    assert publish.events[-1].version == 2
    assert publish.events[-1].event_id == event_id_for("ingested", a.call_id, 2)
    assert store.items[a.call_id]["version"] == 2


async def test_record_follows_publish_and_a_failed_publish_is_re_emitted_identically(
    log: list[str],
) -> None:
    store = FakeStore(log)
    source = Source.from_location(FEED)
    failing = Publisher(log, fail_at=1)
    report = await ingest_source(source, FakeFetcher({FEED: rss(A, B)}), store, failing)
    assert report.new == 1 and len(report.errors) == 1
    assert "stopped after emitting 1 call(s): ConnectionError: kafka unreachable" in report.errors[0]
    assert log == [f"publish {failing.events[0].call_id} v1", f"record {failing.events[0].call_id} v1"]
    assert len(store.items) == 1  # B was not published, so not recorded

    retry = Publisher(log)
    report = await ingest_source(source, FakeFetcher({FEED: rss(A, B)}), store, retry)
    assert (report.new, report.unchanged, report.errors) == (1, 1, [])
    [b] = retry.events
    assert b.version == 1 and b.event_id == event_id_for("ingested", b.call_id, 1)


async def test_a_bad_source_never_stops_the_others(log: list[str]) -> None:
    fetcher = FakeFetcher(
        {
            "missing.xml": FetchError("no such file: missing.xml"),
            "bomb.xml": b'<!DOCTYPE r [<!ENTITY a "x">]><rss>&a;</rss>',
            "broken": RuntimeError("boom"),
            FEED: rss(A),
        }
    )
    reports = await ingest_all(
        ["missing.xml", "bomb.xml", "broken", FEED], fetcher, FakeStore(log), Publisher(log)
    )
    assert [r.source_id for r in reports] == ["file:missing.xml", "file:bomb.xml", "file:broken", FEED]
    assert reports[0].errors == ["no such file: missing.xml"]
    assert reports[1].errors[0].startswith("refused: the document declares XML entities")
    assert reports[2].errors == ["unexpected error reading the source: RuntimeError: boom"]
    assert (reports[3].new, reports[3].errors) == (1, [])


async def test_skipped_entries_and_lenient_parsing_are_reported(log: list[str]) -> None:
    document = rss(A, ("", "https://example.org/c", "sin título")).replace(b"Texto A", b"&ntilde;")
    report = await ingest_source(
        Source.from_location(FEED), FakeFetcher({FEED: document}), FakeStore(log), Publisher(log)
    )
    assert (report.fetched, report.new, report.skipped) == (2, 1, 1)
    assert report.warnings[0].startswith("ill-formed feed read leniently")
    assert report.warnings[1] == "entry 2: no title (https://example.org/c)"
