"""The ingest use case on fakes: versions, idempotent re-emission, publish-before-record, bad sources."""

from collections.abc import Sequence
from datetime import datetime

import pytest

from boi_ingest.domain.dedup import Signature, SignatureIndex
from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.model import Document, ItemState, Source, Validators
from boi_ingest.domain.plan import InFlight, ItemRecord
from boi_ingest.service.ingest import ingest_all, ingest_source
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

    async def fetch(self, location: str, validators: Validators | None = None) -> Document:
        found = self.documents[location]
        if isinstance(found, Exception):
            raise found
        return Document(found)


class FakeStore:
    """The ItemStore port in memory (items, calls, signatures, fetch validators)."""

    def __init__(self, log: list[str]) -> None:
        self.items: dict[str, dict[str, object]] = {}
        self.signature_docs: dict[str, Signature] = {}
        self.fetch_state: dict[str, Validators] = {}
        self.in_flight: dict[str, tuple[str, InFlight]] = {}
        self.log = log

    async def states(self, call_ids: Sequence[str]) -> dict[str, ItemState]:
        found = {}
        for i in call_ids:
            if i in self.items:
                doc = self.items[i]
                event = doc.get("event")
                sources = tuple(event.call.sources) if isinstance(event, CallIngested) else ()
                found[i] = ItemState(
                    str(doc["content_hash"]),
                    int(doc["version"]),  # type: ignore[call-overload]
                    doc.get("call_id"),  # type: ignore[arg-type]
                    sources,
                )
        return found

    async def record_many(self, records: Sequence[ItemRecord], seen_at: datetime) -> None:
        for r in records:
            self.log.append(f"record {r.item_id} v{r.version}")
            doc = self.items.setdefault(r.item_id, {})
            doc.update({k: v for k, v in vars(r).items() if v is not None and k != "item_id"})
            doc["seen_at"] = seen_at

    async def calls(self, call_ids: Sequence[str]) -> dict[str, CallIngested]:
        return {
            i: self.items[i]["event"]  # type: ignore[misc]
            for i in call_ids
            if isinstance(self.items.get(i, {}).get("event"), CallIngested)
        }

    async def signature_index(self, since: datetime) -> SignatureIndex:
        index = SignatureIndex()
        for signature in self.signature_docs.values():
            index.add(signature)
        return index

    async def add_signatures(self, signatures: Sequence[Signature], seen_at: datetime) -> None:
        for s in signatures:
            self.signature_docs[s.item_id] = s

    async def validators(self, source_id: str) -> Validators:
        return self.fetch_state.get(source_id, Validators())

    async def save_validators(self, source_id: str, validators: Validators) -> None:
        self.fetch_state[source_id] = validators

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

    async def hold(self, source_id: str, flights: Sequence[InFlight]) -> None:
        for f in flights:
            self.in_flight[f"{f.event.call_id}@{f.event.version}"] = (source_id, f)

    async def held(self, source_id: str) -> list[InFlight]:
        return [f for sid, f in self.in_flight.values() if sid == source_id]

    async def release(self, events: Sequence[CallIngested]) -> None:
        for e in events:
            self.in_flight.pop(f"{e.call_id}@{e.version}", None)


class Publisher:
    def __init__(self, log: list[str], fail_at: int | None = None) -> None:
        self.events: list[CallIngested] = []
        self.log = log
        self.fail_at = fail_at

    async def __call__(self, events: Sequence[CallIngested]) -> list[BaseException | None]:
        results: list[BaseException | None] = []
        for event in events:
            if self.fail_at is not None and len(self.events) == self.fail_at:
                results.append(ConnectionError("kafka unreachable"))
                continue
            self.log.append(f"publish {event.call_id} v{event.version}")
            self.events.append(event)
            results.append(None)
        return results


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
    # B's event was held before publishing: it is published again as it was, then recorded
    assert (report.recovered, report.new, report.unchanged, report.errors) == (1, 0, 2, [])
    [b] = retry.events
    assert b.version == 1 and b.event_id == event_id_for("ingested", b.call_id, 1)
    assert store.items[b.call_id]["version"] == 1 and not store.in_flight


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


PORTAL = "https://portal.example.net/rss"
FULBRIGHT_A = (
    "Becas Fulbright 2027 para maestría",
    "https://example.org/becas/fulbright-2027",
    "Financiado por la Comisión Fulbright Colombia. La fecha límite es el 15 de febrero de 2027.",
)
FULBRIGHT_B = (
    "Convocatoria Becas Fulbright Colombia 2027 – maestrías",
    "https://portal.example.net/c/998?utm_source=newsletter",
    "Estudios de maestría en Estados Unidos. Cierre: 15/02/2027.",
)


async def test_a_near_duplicate_from_another_source_joins_the_first_call(log: list[str]) -> None:
    store, publish = FakeStore(log), Publisher(log)
    first = await ingest_source(
        Source.from_location(FEED), FakeFetcher({FEED: rss(FULBRIGHT_A, B)}), store, publish
    )
    assert first.new == 2
    [original] = [e for e in publish.events if "fulbright" in e.call.url]
    assert original.call.funder_candidates == ["Comisión Fulbright Colombia"]
    assert [c.date.isoformat() for c in original.call.deadline_candidates] == ["2027-02-15"]
    assert original.call.language == "es"

    other = Source.from_location(PORTAL)
    second = await ingest_source(other, FakeFetcher({PORTAL: rss(FULBRIGHT_B)}), store, publish)
    assert (second.new, second.duplicate, second.errors) == (0, 1, [])
    merged = publish.events[-1]
    assert (merged.call_id, merged.version) == (original.call_id, 2)
    assert merged.call.title == FULBRIGHT_A[0]  # the first announcement's content is kept
    assert [(s.source_id, s.item_url) for s in merged.call.sources] == [
        (FEED, FULBRIGHT_A[1]),
        (PORTAL, FULBRIGHT_B[1]),
    ]

    again = await ingest_source(other, FakeFetcher({PORTAL: rss(FULBRIGHT_B)}), store, publish)
    assert (again.unchanged, again.duplicate, len(publish.events)) == (1, 0, 3)

    # The first source's text changes: the next version still lists both sources.
    edited = (FULBRIGHT_A[0], FULBRIGHT_A[1], FULBRIGHT_A[2] + " Plazo ampliado.")
    third = await ingest_source(
        Source.from_location(FEED), FakeFetcher({FEED: rss(edited, B)}), store, publish
    )
    assert third.updated == 1
    assert publish.events[-1].version == 3 and len(publish.events[-1].call.sources) == 2


async def test_entries_of_one_source_are_never_merged(log: list[str]) -> None:
    # A portal listing a call again under a new URL publishes a new notice (e.g. a re-advertisement).
    publish = Publisher(log)
    report = await ingest_source(
        Source.from_location(FEED),
        FakeFetcher({FEED: rss(FULBRIGHT_A, FULBRIGHT_B)}),
        FakeStore(log),
        publish,
    )
    assert (report.new, report.duplicate) == (2, 0)


async def test_near_duplicates_of_two_sources_in_one_run_make_one_event(log: list[str]) -> None:
    store, publish = FakeStore(log), Publisher(log)
    fetcher = FakeFetcher({FEED: rss(FULBRIGHT_A), PORTAL: rss(FULBRIGHT_B)})
    reports = await ingest_all([FEED, PORTAL], fetcher, store, publish)
    assert [(r.new, r.duplicate) for r in reports] == [(1, 0), (0, 1)]
    assert [(e.version, len(e.call.sources)) for e in publish.events] == [(1, 1), (2, 2)]


async def test_different_calls_are_not_merged(log: list[str]) -> None:
    doctorado = (
        "Becas Fulbright 2027 para doctorado",
        "https://example.org/becas/fulbright-phd",
        "Doctorado.",
    )
    edicion = ("Becas Fulbright 2026 para maestría", "https://example.org/becas/fulbright-2026", "Maestría.")
    report = await ingest_source(
        Source.from_location(FEED),
        FakeFetcher({FEED: rss(FULBRIGHT_A, doctorado, edicion)}),
        FakeStore(log),
        Publisher(log),
    )
    assert (report.new, report.duplicate) == (3, 0)


class ConditionalFetcher(FakeFetcher):
    def __init__(self, document: bytes) -> None:
        super().__init__({FEED: document})
        self.asked: list[Validators | None] = []

    async def fetch(self, location: str, validators: Validators | None = None) -> Document:
        self.asked.append(validators)
        if validators is not None and validators.etag == '"1"':
            return Document(b"", not_modified=True, validators=validators)
        return Document(self.documents[location], validators=Validators(etag='"1"'))  # type: ignore[arg-type]


async def test_not_modified_emits_nothing_and_validators_wait_for_a_complete_run(log: list[str]) -> None:
    store, source = FakeStore(log), Source.from_location(FEED)
    fetcher = ConditionalFetcher(rss(A, B))
    failed = await ingest_source(source, fetcher, store, Publisher(log, fail_at=0))
    assert failed.errors and store.fetch_state == {}  # not everything emitted: ask in full next time
    publish = Publisher(log)
    done = await ingest_source(source, fetcher, store, publish)
    # the refused events were held: published again as planned, then recorded
    assert (done.recovered, done.errors) == (2, []) and store.fetch_state[FEED] == Validators(etag='"1"')
    again = await ingest_source(source, fetcher, store, publish)
    assert again.not_modified and (again.fetched, again.new) == (0, 0)
    assert fetcher.asked == [None, None, Validators(etag='"1"')] and len(publish.events) == 2


async def test_a_sources_default_tags_reach_its_calls(log: list[str]) -> None:
    store, publish = FakeStore(log), Publisher(log)
    source = Source("embajada-x", FEED, tags=("embajada", "becas"))
    await ingest_source(source, FakeFetcher({FEED: rss(A, B)}), store, publish)
    assert [e.call.tags for e in publish.events] == [["embajada", "becas"]] * 2

    changed = ("Beca A", A[1], "Texto A, ahora con fecha de cierre")
    await ingest_source(source, FakeFetcher({FEED: rss(changed, B)}), store, publish)
    assert publish.events[-1].version == 2 and publish.events[-1].call.tags == ["embajada", "becas"]


async def test_a_crash_between_publish_and_record_never_reuses_a_version(log: list[str]) -> None:
    """Version 2 reached Kafka but its record did not reach the store (the process died): the next change
    must not be sent as version 2 again with the same event id (consumers would drop it as a replay)."""
    store, publish = FakeStore(log), Publisher(log)
    source = Source.from_location(FEED)
    await ingest_source(source, FakeFetcher({FEED: rss(A)}), store, publish)
    crashing = Publisher(log)
    record_many = store.record_many

    async def crash(records: Sequence[ItemRecord], seen_at: datetime) -> None:
        raise ConnectionResetError("the process died between publish and record")

    store.record_many = crash  # type: ignore[method-assign]
    second = ("Beca A", A[1], "Texto A, cierre el 1 de marzo")
    crashed = await ingest_source(source, FakeFetcher({FEED: rss(second)}), store, crashing)
    assert "died between publish and record" in crashed.errors[0]
    [sent] = crashing.events
    assert sent.version == 2 and store.items[sent.call_id]["version"] == 1  # published, not recorded

    store.record_many = record_many  # type: ignore[method-assign]
    third = ("Beca A", A[1], "Texto A, cierre aplazado al 1 de abril")
    after = Publisher(log)
    report = await ingest_source(source, FakeFetcher({FEED: rss(third)}), store, after)
    assert report.errors == []
    versions = [(e.version, e.event_id, e.call.text) for e in after.events]
    # version 2 again only as it was sent (same id, same content), then the change as version 3
    assert versions == [
        (2, sent.event_id, sent.call.text),
        (3, event_id_for("ingested", sent.call_id, 3), versions[-1][2]),
    ]
    assert "1 de abril" in versions[-1][2]
    assert len({e.event_id for e in [sent, *after.events]}) == 2
    assert store.items[sent.call_id]["version"] == 3
