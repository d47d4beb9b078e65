"""Parse untrusted documents in a worker process with a memory and a time budget, so that one hostile
source cannot take the service down: the worker's address space is capped (RLIMIT_AS, its size after
start-up plus the budget), a parse that runs past the timeout kills the worker, and a worker that dies
(a crash, the kernel) is replaced on the next parse. Each ends in a clear error for that source only.

The parsers themselves stay pure (`domain.parsers`); this module only decides where they run.
"""

import logging
import os
import resource
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from boi_ingest.domain.errors import FeedError
from boi_ingest.domain.model import Document, ParsedFeed
from boi_ingest.domain.parsers.job import ParseJob, parse_job

log = logging.getLogger("boi.ingest")
STARTUP_SECONDS = 120.0
"""Time allowed to a new worker to import the parsers (slow on a loaded machine; not the parse budget)."""


def _address_space() -> int:
    """Bytes of address space this process uses now (Linux); 0 where /proc is not there."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn: Connection, budget_bytes: int) -> None:
    """The worker: import the parsers, cap the address space, then parse jobs until the pipe closes."""
    from boi_ingest.domain.parsers import html, tabular  # noqa: F401  (imported before the cap)

    limit = _address_space() + budget_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    conn.send("ready")
    while True:
        try:
            document, job = conn.recv()
        except EOFError:
            return
        answer = _parse_here(document, job)
        del document  # and, out of the except clauses, whatever the failed parse had built
        try:
            conn.send(answer)
        except MemoryError:  # the result itself does not fit in the budget once pickled
            answer = ("memory", None)
            try:
                conn.send(answer)
            except MemoryError:
                os._exit(3)  # the parent reports a dead worker; no traceback on the shared stderr
        if answer[0] == "memory":
            return  # a fresh worker for the next document


def _parse_here(document: Document, job: ParseJob) -> tuple[str, Any]:
    try:
        return "ok", parse_job(document, job)
    except MemoryError:
        return "memory", None
    except FeedError as exc:
        return "error", exc
    except Exception as exc:
        reason = f"unexpected error parsing the document: {type(exc).__name__}: {exc}"
        return "error", FeedError(reason[:500])


class BudgetedParser:
    """Runs `parse_job` in one worker process at a time (spawned on first use); thread-safe, blocking
    (the use case calls it off the event loop)."""

    def __init__(self, memory_mb: int, timeout_seconds: float) -> None:
        self.memory_mb = memory_mb
        self.timeout_seconds = timeout_seconds
        self._lock = threading.Lock()
        self._worker: tuple[subprocess.Popen[bytes], Connection] | None = None

    def __call__(self, document: Document, job: ParseJob) -> ParsedFeed:
        with self._lock:
            kind, value = self._exchange(document, job)
        if kind == "ok" and isinstance(value, ParsedFeed):
            return value
        if isinstance(value, FeedError):
            raise value
        raise FeedError(f"unexpected answer of the parser process: {kind}")

    def _exchange(self, document: Document, job: ParseJob) -> tuple[str, Any]:
        process, conn = self._worker or self._start()
        try:
            conn.send((document, job))
            finished = conn.poll(self.timeout_seconds)
            answer = conn.recv() if finished else None
        except (EOFError, OSError):
            raise FeedError(self._died(process)) from None
        if answer is None:
            self.close()
            raise FeedError(
                f"refused: parsing the document took longer than {self.timeout_seconds:g} s "
                "(BOI_INGEST_PARSE_TIMEOUT_SECONDS); the parse was stopped. Ask the publisher for a "
                "smaller or simpler document, or raise the limit if it is genuine."
            )
        if answer[0] == "memory":
            self.close()
            return "error", FeedError(
                f"refused: parsing the document needed more than {self.memory_mb} MB "
                "(BOI_INGEST_PARSE_MEMORY_MB); the parse was stopped. Ask the publisher for a smaller "
                "document, or raise the limit if it is genuine."
            )
        kind, value = answer
        return str(kind), value

    def _died(self, process: "subprocess.Popen[bytes]") -> str:
        try:
            code: int | None = process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return (
            f"the parser process died while reading the document ({how}); it may need more than "
            f"{self.memory_mb} MB (BOI_INGEST_PARSE_MEMORY_MB). The other sources are not affected."
        )

    def _start(self) -> "tuple[subprocess.Popen[bytes], Connection]":
        # A fresh interpreter running this module, not a multiprocessing child: that would import the
        # caller's __main__ (the whole `boi` command) before the cap.
        ours, theirs = socket.socketpair()
        with ours, theirs:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "boi_ingest.adapters.parse_worker",
                    str(theirs.fileno()),
                    str(self.memory_mb),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
            conn = Connection(ours.detach())
        try:
            ready = conn.poll(STARTUP_SECONDS) and conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            process.kill()
            conn.close()
            raise FeedError(f"the parser process did not start (exit code {process.wait(5)})")
        self._worker = (process, conn)
        return self._worker

    def close(self) -> None:
        """Stop the worker (a new one starts on the next parse)."""
        if self._worker is None:
            return
        process, conn = self._worker
        self._worker = None
        conn.close()  # the worker's recv ends: it exits
        try:
            process.wait(0.5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


if __name__ == "__main__":  # the worker: python -m boi_ingest.adapters.parse_worker FD MEMORY_MB
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]) * 2**20)
