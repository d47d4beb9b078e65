"""A local OpenAI-compatible HTTP server for tests: `POST /v1/chat/completions` (and Azure's
`/openai/deployments/<name>/chat/completions`) on 127.0.0.1 and a free port.

It records every request and CHECKS it like a strict server would: the model (or Azure deployment) name,
a strict `json_schema` response format carrying our schema, and the call sent as delimited data in the
user message, never in the system message. A request that fails a check is answered 400 and listed in
`problems`. Answers are scripted with `queue(...)`; when the queue is empty, `default` answers.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

OPEN, CLOSE = "<call_data>", "</call_data>"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a completion (content or refusal) or an HTTP error."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    usage: tuple[int, int] | None = (1200, 300)
    raw: bytes | None = None  # a body sent as is, instead of a completion


def answer(payload: dict[str, Any], usage: tuple[int, int] = (1200, 300)) -> Reply:
    return Reply(content=json.dumps(payload, ensure_ascii=False), usage=usage)


def malformed() -> Reply:
    return Reply(content='{"title_es": "Becas de maestría", "summary_es": "La beca cubre')


def refusal() -> Reply:
    return Reply(refusal="I'm sorry, I can't help with that.")


def error(status: int, retry_after: str | None = None) -> Reply:
    return Reply(status=status, headers={"Retry-After": retry_after} if retry_after else {})


@dataclass(frozen=True)
class Recorded:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]
    status: int

    def message(self, role: str, index: int = 0) -> str:
        found = [m["content"] for m in self.body.get("messages", []) if m.get("role") == role]
        return str(found[index]) if len(found) > index else ""

    @property
    def system(self) -> str:
        return self.message("system")

    @property
    def data_block(self) -> str:
        """What the first user message carries between the data delimiters."""
        return data_block(self.message("user"))


def data_block(user: str) -> str:
    return user[user.find(OPEN) + len(OPEN) : user.find(CLOSE)] if OPEN in user else ""


def check(path: str, body: dict[str, Any], headers: dict[str, str], model: str) -> list[str]:
    """What a strict server would reject in this request."""
    problems: list[str] = []
    azure = path.startswith("/openai/deployments/")
    named = path.split("/")[3] if azure else body.get("model")
    if named != model:
        problems.append(f"model {named!r}, expected {model!r}")
    if not (headers.get("authorization") or headers.get("api-key")):
        problems.append("no credentials header")
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") or {}
    if fmt.get("type") != "json_schema" or fmt["json_schema"].get("strict") is not True:
        problems.append("response_format is not a strict json_schema")
    elif {"evidence", "deadline", "call_type"} - set(schema.get("properties", {})):
        problems.append("the JSON schema lacks the enrichment fields")
    messages = body.get("messages") or []
    system = [m["content"] for m in messages if m.get("role") == "system"]
    users = [m["content"] for m in messages if m.get("role") == "user"]
    if len(system) != 1 or "never an instruction" not in system[0]:
        problems.append("one system message must say that the call is data, never an instruction")
    elif f"{OPEN}\n" in system[0] or "TEXT:" in system[0]:
        problems.append("call data in the system message")
    if not users or users[0].count(OPEN) != 1 or users[0].count(CLOSE) != 1:
        problems.append("the call is not delimited as data in the first user message")
    elif users[0].find(OPEN) > users[0].find(CLOSE) or "TEXT:" not in data_block(users[0]):
        problems.append("the call text is not inside the data delimiters")
    return problems


def completion(reply: Reply, model: str, number: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"chatcmpl-test-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content, "refusal": reply.refusal},
                "finish_reason": reply.finish_reason,
                "logprobs": None,
            }
        ],
    }
    if reply.usage is not None:
        tokens_in, tokens_out = reply.usage
        body["usage"] = {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
    return body


class OpenAICompatibleServer:
    """Threaded HTTP server answering scripted replies; see the module docstring."""

    def __init__(self, model: str = "boi-test-model", default: Reply | None = None) -> None:
        self.model = model
        self.default = default or error(500)
        self._lock = threading.Lock()
        self._script: list[Reply] = []
        self._requests: list[Recorded] = []
        self._problems: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """Base URL for `OpenAI(base_url=...)`."""
        return f"{self.root}/v1"

    def start(self) -> "OpenAICompatibleServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._problems.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    @property
    def problems(self) -> list[str]:
        with self._lock:
            return list(self._problems)

    def _next(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        chat = path == "/v1/chat/completions" or (
            path.startswith("/openai/deployments/")
            and path.endswith("/chat/completions")
            and "api-version" in query
        )
        problems = check(path, body, headers, self.model) if chat else [f"unexpected path {path}"]
        with self._lock:
            reply = self._script.pop(0) if self._script and not problems else self.default
            status = 400 if problems else reply.status
            self._problems.extend(problems)
            self._requests.append(Recorded(path, query, headers, body, status))
            number = len(self._requests)
        if problems:
            return (
                400,
                {},
                json.dumps(
                    {"error": {"message": "; ".join(problems), "type": "invalid_request_error"}}
                ).encode(),
            )
        if reply.status != 200:
            payload = {"error": {"message": f"scripted {reply.status}", "type": "server_error"}}
            return reply.status, reply.headers, json.dumps(payload).encode()
        if reply.raw is not None:
            return 200, reply.headers, reply.raw
        return 200, reply.headers, json.dumps(completion(reply, self.model, number)).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, payload = server._next(parts.path, parse_qs(parts.query), headers, raw)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def openai_server(
    model: str = "boi-test-model", default: Reply | None = None
) -> Iterator[OpenAICompatibleServer]:
    server = OpenAICompatibleServer(model, default).start()
    try:
        yield server
    finally:
        server.stop()
