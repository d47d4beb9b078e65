"""Documents are parsed in a worker process with a memory and a time budget (issue 14): a parse past
either, or a worker that dies, fails that document with a clear error, and the next parse works."""

import os
import signal
import threading
import time

import pytest

from boi_ingest.adapters.parse_worker import BudgetedParser
from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document
from boi_ingest.domain.parsers.job import ParseJob

RSS = ParseJob("rss")


def feed(items: int, words: int = 20) -> Document:
    body = "".join(
        f"<item><title>Beca {i}</title><link>https://e.org/c/{i}</link>"
        f"<description>{'Convocatoria abierta para estudiantes de Bogotá. ' * words}</description></item>"
        for i in range(items)
    )
    return Document(f'<rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode())


@pytest.fixture
def small() -> Document:
    return feed(2)


def test_parses_in_a_worker_process(small: Document) -> None:
    parser = BudgetedParser(memory_mb=160, timeout_seconds=60)
    try:
        assert [i.title for i in parser(small, RSS).items] == ["Beca 0", "Beca 1"]
        assert parser._worker is not None and parser._worker[0].pid != os.getpid()
    finally:
        parser.close()


def test_a_parse_over_its_memory_budget_is_stopped(small: Document) -> None:
    parser = BudgetedParser(memory_mb=16, timeout_seconds=120)
    try:
        with pytest.raises(FeedError, match=r"needed more than 16 MB \(BOI_INGEST_PARSE_MEMORY_MB\)"):
            parser(feed(5000), RSS)
        assert len(parser(small, RSS).items) == 2  # a fresh worker
    finally:
        parser.close()


def test_a_parse_past_its_time_budget_is_stopped(small: Document) -> None:
    parser = BudgetedParser(memory_mb=512, timeout_seconds=0.2)
    try:
        parser(small, RSS)  # the worker is up: the budget counts the parse only
        started = time.monotonic()
        with pytest.raises(FeedError, match=r"took longer than 0.2 s \(BOI_INGEST_PARSE_TIMEOUT_SECONDS\)"):
            parser(feed(20_000), RSS)
        assert time.monotonic() - started < 10
        assert parser._worker is None  # killed
        assert len(parser(small, RSS).items) == 2
    finally:
        parser.close()


def test_a_worker_that_dies_fails_that_document_only(small: Document) -> None:
    parser = BudgetedParser(memory_mb=512, timeout_seconds=120)
    try:
        parser(small, RSS)
        assert parser._worker is not None
        pid = parser._worker[0].pid
        assert pid is not None
        failure: list[BaseException] = []

        def parse_big() -> None:
            try:
                parser(feed(20_000), RSS)
            except FeedError as exc:
                failure.append(exc)

        thread = threading.Thread(target=parse_big)
        thread.start()
        os.kill(pid, signal.SIGKILL)
        thread.join(60)
        assert "the parser process died while reading the document (killed by signal 9)" in str(failure[0])
        assert len(parser(small, RSS).items) == 2
    finally:
        parser.close()


def test_parse_errors_come_back_as_they_are(small: Document) -> None:
    parser = BudgetedParser(memory_mb=160, timeout_seconds=60)
    try:
        with pytest.raises(FeedError, match="refused: the document declares XML entities"):
            parser(Document(b'<!DOCTYPE r [<!ENTITY a "b">]><rss>&a;</rss>'), RSS)
        with pytest.raises(FeedError, match="no shipped mapping fits this JSON"):
            parser(Document(b'[{"x": 1}]'), ParseJob("json_api"))
    finally:
        parser.close()
