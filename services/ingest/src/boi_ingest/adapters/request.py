"""A source's declared request made ready to send: the body encoded once (a retry resends the same bytes)
and the secret headers read from the environment.

A secret's value is held only in `Prepared.secrets` (left out of its repr), sent only to the origin of
the declared URL (a redirect elsewhere goes without it), and never put in a log line or an error: errors
name the header and the variable, never the value.
"""

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import httpx

from boi_ingest.domain.errors import FetchError
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.settings import Settings

SecretLookup = Callable[[str], str | None]
"""The value of an environment variable by name (None if unset)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def own_variables() -> frozenset[str]:
    """The ingest service's own settings (`BOI_ADMIN_TOKEN`, `BOI_MONGO_URL`…): never sent to a source."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return frozenset(f"{prefix}{name}".upper() for name in Settings.model_fields)


def environment_secrets() -> SecretLookup:
    """Secrets of source requests from the process environment, except the service's own settings.

    Read here rather than in `Settings`: the variables are named per source by operators at run time.
    """
    reserved = own_variables()

    def lookup(name: str) -> str | None:
        if name.upper() in reserved:
            raise FetchError(
                f"refused: {name} is a setting of the ingest service itself and is never sent to a source; "
                "put the API's key in a variable of its own"
            )
        return os.environ.get(name)

    return lookup


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


@dataclass(frozen=True)
class Prepared:
    """What to send: method, encoded body with its content type, plain and secret headers."""

    method: str = "GET"
    content: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def is_post(self) -> bool:
        return self.method == "POST"

    def headers_for(self, url: str, declared_url: str, *, with_body: bool) -> dict[str, str]:
        """The headers of a request to `url` (the declared one or a redirect's target)."""
        headers = dict(self.headers)
        if with_body and self.content_type:
            headers["Content-Type"] = self.content_type
        if self.secrets and _origin(url) == _origin(declared_url):
            headers |= self.secrets
        return headers


def _encode_form(request: SourceRequest) -> tuple[bytes, str]:
    fields = {
        name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for name, value in (request.form or {}).items()
    }
    if request.form_encoding == "urlencoded":
        return urlencode(fields).encode("ascii"), "application/x-www-form-urlencoded"
    parts = {
        name: (None, fields[name], None if isinstance(value, str) else "application/json")
        for name, value in (request.form or {}).items()
    }
    built = httpx.Request("POST", "http://boi.invalid/", files=parts)
    return built.read(), built.headers["content-type"]


def prepare(request: SourceRequest | None, secrets: SecretLookup) -> Prepared:
    """The request ready to send; FetchError if a secret header's variable is unset or refused."""
    if request is None:
        return Prepared()
    resolved: dict[str, str] = {}
    for header, variable in request.env_names().items():
        value = secrets(variable)
        if not value:
            raise FetchError(
                f"header {header!r} takes its value from the environment variable {variable}, which is not "
                "set in the ingest service; set it (never in the registry) and restart the service"
            )
        if not (value.isascii() and value.isprintable()):
            raise FetchError(
                f"header {header!r}: the environment variable {variable} holds characters a header cannot "
                "carry (a line break, a control or non-ASCII character); fix its value"
            )
        resolved[header] = value
    plain = {name: v for name, v in request.headers.items() if isinstance(v, str)}
    content, content_type = None, None
    if request.body is not None:
        content, content_type = json.dumps(request.body, ensure_ascii=False).encode(), "application/json"
    elif request.form is not None:
        content, content_type = _encode_form(request)
    elif request.is_post:
        content = b""
    return Prepared(str(request.method), content, content_type, plain, resolved)
