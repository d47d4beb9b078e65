"""The HTTP request a source declares when its API is not a plain GET: method, JSON body or form fields,
and extra headers.

No secret is ever part of a declaration: a header that carries one names the environment variable holding
it (`{"X-Api-Key": {"env": "BOI_GRANTS_GOV_KEY"}}`), and only the fetcher reads the value, at request time.
A literal value for a header whose name says it is a credential is refused.
"""

import json
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_BODY_CHARS = 64 * 1024
MAX_HEADERS = 20
ENV_NAME_PATTERN = r"^BOI_[A-Z0-9_]{1,100}$"
_ENV_NAME = re.compile(ENV_NAME_PATTERN)
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")  # an RFC 9110 field name
# Set by the fetcher itself: identification, conditional GET, framing and the body's own type.
RESERVED_HEADERS = frozenset(
    {
        "user-agent",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "if-none-match",
        "if-modified-since",
    }
)
_SECRET_WORDS = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "auth", "authorization", "cookie"}
    | {"session", "credential", "credentials", "signature", "bearer"}
)


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"


class EnvValue(BaseModel):
    """A header value read from an environment variable of the ingest process when the request is sent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    env: str = Field(pattern=ENV_NAME_PATTERN, description="Name of the variable, e.g. BOI_GRANTS_GOV_KEY")


def looks_secret(name: str) -> bool:
    """A header name that speaks of a credential (`Authorization`, `X-Api-Key`, `X-Auth-Token`…)."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower().replace("-", " ").replace("_", " ").split()
    return any(word in _SECRET_WORDS for word in words)


class SourceRequest(BaseModel):
    """How to ask a source's URL: GET (default) or POST with a JSON `body` or `form` fields, plus headers.

    `form` is sent as multipart/form-data (like `curl -F`) unless `form_encoding` is `urlencoded`; a form
    value that is an object or a list is sent as JSON (a multipart part of type application/json).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: HttpMethod = Field(default=HttpMethod.GET, description="GET, or POST (json_api sources only)")
    body: dict[str, Any] | None = Field(default=None, description="JSON body of a POST")
    form: dict[str, str | dict[str, Any] | list[Any]] | None = Field(
        default=None, description="Form fields of a POST"
    )
    form_encoding: Literal["multipart", "urlencoded"] = Field(
        default="multipart", description="How form fields are sent"
    )
    headers: dict[str, str | EnvValue] = Field(
        default_factory=dict,
        description='Extra headers: a value, or {"env": "BOI_…"} for a secret read from the environment',
    )

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("headers", mode="before")
    @classmethod
    def _env_values(cls, value: object) -> object:
        """`{"env": NAME}` values, with one clear reason when malformed (and never the value itself)."""
        if not isinstance(value, Mapping):
            return value
        read: dict[object, object] = {}
        for name, given in value.items():
            if isinstance(given, Mapping) and not isinstance(given, EnvValue):
                env = given.get("env")
                if set(given) != {"env"} or not isinstance(env, str) or not _ENV_NAME.match(env):
                    raise ValueError(
                        f'header {str(name)[:100]!r}: a secret is given as {{"env": "BOI_NAME"}}, the '
                        "name of an environment variable (capitals, digits and _, starting with BOI_)"
                    )
                given = EnvValue(env=env)
            read[name] = given
        return read

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str | EnvValue]) -> dict[str, str | EnvValue]:
        if len(value) > MAX_HEADERS:
            raise ValueError(f"at most {MAX_HEADERS} headers")
        for name, given in value.items():
            if not _TOKEN.match(name):
                raise ValueError(f"header name {name[:100]!r} is not a valid HTTP field name")
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"header {name!r} is set by the fetcher and cannot be declared")
            if isinstance(given, EnvValue):
                continue
            if looks_secret(name):
                raise ValueError(
                    f"header {name!r} looks like a credential: secrets are never stored in the registry; "
                    f'give {{"env": "BOI_…"}} naming the environment variable that holds it'
                )
            if len(given) > 2000 or any(ch in given for ch in "\r\n\0"):
                raise ValueError(f"header {name!r}: a value of at most 2000 characters on one line")
        return value

    @model_validator(mode="after")
    def _body(self) -> Self:
        if self.body is not None and self.form is not None:
            raise ValueError("a request has a JSON body or form fields, not both")
        if self.method is HttpMethod.GET and (self.body is not None or self.form is not None):
            raise ValueError("a GET request carries no body or form: use method POST")
        payload = self.body if self.body is not None else self.form
        if payload is not None and len(json.dumps(payload, ensure_ascii=False)) > MAX_BODY_CHARS:
            raise ValueError(f"the request body is larger than {MAX_BODY_CHARS} characters")
        return self

    @property
    def is_post(self) -> bool:
        return self.method is HttpMethod.POST

    def env_names(self) -> dict[str, str]:
        """Header name → environment variable, for the headers whose value is a secret."""
        return {name: v.env for name, v in self.headers.items() if isinstance(v, EnvValue)}
