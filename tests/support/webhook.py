"""A local HTTP webhook receiver for tests: records every request, can answer errors on demand."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from boi_devtools.stack.process import free_port


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class WebhookReceiver:
    """Threaded `http.server` on 127.0.0.1 and a free port. Answers 200 unless told otherwise."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[ReceivedRequest] = []
        self._errors_left = 0
        self._error_status = 500
        self._failing_until = 0.0
        self._fixed_status: int | None = None
        self._redirect_to: str | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/boi"

    def start(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer `status` to the next `count` requests, then 200 again."""
        with self._lock:
            self._errors_left = count
            self._error_status = status

    def fail_for(self, seconds: float, status: int = 500) -> None:
        """Answer `status` to every request for the next `seconds`, then 200 again."""
        with self._lock:
            self._failing_until = time.monotonic() + seconds
            self._error_status = status

    def always(self, status: int | None, redirect_to: str | None = None) -> None:
        """Answer `status` to every request (None: back to normal), with a Location when redirecting."""
        with self._lock:
            self._fixed_status, self._redirect_to = status, redirect_to

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def matching(self, predicate: Callable[[ReceivedRequest], bool]) -> list[ReceivedRequest]:
        return [r for r in self.requests if predicate(r)]

    def _answer(self) -> int:
        with self._lock:
            if self._fixed_status is not None:
                return self._fixed_status
            if time.monotonic() < self._failing_until:
                return self._error_status
            if self._errors_left > 0:
                self._errors_left -= 1
                return self._error_status
            return 200

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = receiver._answer()
                receiver._record(
                    ReceivedRequest(self.command, self.path, dict(self.headers.items()), body, status)
                )
                payload = b'{"ok": true}' if status < 300 else b'{"error": "test"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if receiver._redirect_to and 300 <= status < 400:
                    self.send_header("Location", receiver._redirect_to)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


def closed_port_url() -> str:
    """An http URL on which nothing listens (connection refused): a partner endpoint that is down."""
    return f"http://127.0.0.1:{free_port()}/down"
