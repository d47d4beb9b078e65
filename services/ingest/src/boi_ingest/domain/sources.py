"""Sources as operators declare them (type, location, schedule, hints, mapping) and what their runs did.

A `SourceConfig` is stored in the sources registry; `SourceStatus` is the registry's per-source record of
the last runs. `SourceRegistry` is the port the scheduler, the admin API and the CLI use.
"""

import random
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boi_ingest.domain.model import Source
from boi_ingest.domain.parsers import MappingError, check_mapping
from boi_ingest.domain.requests import SourceRequest
from boi_ingest.domain.urls import is_http_url

SOURCE_ID_PATTERN = r"^[A-Za-z0-9][^\s]{0,299}$"
MAX_BACKOFF_SECONDS = 86_400.0
"""The longest a failing source waits between scheduled runs (unless its own interval is longer)."""


class SourceType(StrEnum):
    RSS = "rss"
    ATOM = "atom"
    JSON_API = "json_api"
    HTML = "html"
    CSV = "csv"
    XLSX = "xlsx"
    MANUAL = "manual"


FEED_TYPES = frozenset({SourceType.RSS, SourceType.ATOM})
_BY_SUFFIX = {
    ".xml": SourceType.RSS,
    ".rss": SourceType.RSS,
    ".rdf": SourceType.RSS,
    ".atom": SourceType.ATOM,
    ".json": SourceType.JSON_API,
    ".html": SourceType.HTML,
    ".htm": SourceType.HTML,
    ".csv": SourceType.CSV,
    ".tsv": SourceType.CSV,
    ".xlsx": SourceType.XLSX,
    ".xlsm": SourceType.XLSX,
}


def guess_type(location: str) -> SourceType | None:
    """The source type a file name or URL path suggests (`.json` → json_api …), or None."""
    path = location.split("?", 1)[0].split("#", 1)[0]
    return _BY_SUFFIX.get(PurePath(path).suffix.lower())


def request_error(kind: SourceType, request: SourceRequest | None, *, has_url: bool = True) -> str | None:
    """Why a source of this type cannot be fetched with this request, or None."""
    if request is None:
        return None
    if not has_url:
        return "a request (method, body, headers) applies to a url source, not a file"
    if request.is_post and kind is not SourceType.JSON_API:
        return f"method POST is allowed only for json_api sources; a {kind} source is fetched with GET"
    return None


class SourceConfig(BaseModel):
    """A source declared by an operator. Exactly one of `url` or `file`, except for `manual`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=SOURCE_ID_PATTERN, description="Stable id the calls are attributed to")
    type: SourceType = Field(description="rss, atom, json_api, html, csv, xlsx or manual")
    url: str | None = Field(default=None, description="http(s) URL of the document")
    file: str | None = Field(default=None, description="Local path of the document (bulk imports)")
    interval_seconds: float = Field(default=900.0, ge=1, description="Seconds between scheduled runs")
    jitter: float = Field(default=0.1, ge=0, le=1, description="± fraction of the interval, random")
    language: str | None = Field(default=None, description="ISO 639-1 code when items state none")
    tags: list[str] = Field(default_factory=list, description="Tags given to every call of the source")
    mapping: str | dict[str, Any] | None = Field(
        default=None, description="Field mapping: the name of a shipped one, or a mapping object"
    )
    request: SourceRequest | None = Field(
        default=None, description="How to ask the url: method (POST for json_api only), body, headers"
    )
    enabled: bool = Field(default=True, description="Scheduled runs include the source")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().lower()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise ValueError(f"language must be an ISO 639-1 code such as 'es' or 'en', not {value!r}")
        return code

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip() for t in value if t.strip()))

    @model_validator(mode="after")
    def _location(self) -> Self:
        if self.type is SourceType.MANUAL:
            if self.request is not None:
                raise ValueError("a manual source has no request: nothing is fetched")
            if self.url or self.file:
                raise ValueError(
                    "a manual source has no url or file: calls arrive via POST /api/calls/manual"
                )
            return self
        if bool(self.url) == bool(self.file):
            raise ValueError(f"a {self.type} source needs exactly one of url or file")
        if self.url and not is_http_url(self.url):
            raise ValueError(f"url must be an absolute http(s) URL, not {self.url[:200]!r}")
        if (reason := request_error(self.type, self.request, has_url=bool(self.url))) is not None:
            raise ValueError(reason)
        try:
            check_mapping(self.type, self.mapping)
        except MappingError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def location(self) -> str:
        return self.url or self.file or ""

    def to_source(self) -> Source:
        return Source(source_id=self.id, location=self.location, tags=tuple(self.tags))

    def next_delay(self, rng: random.Random | None = None, failures: int = 0) -> float:
        """Seconds until the next run: the interval ± jitter, so sources never fire in lockstep. After
        `failures` failed runs in a row the interval doubles with each failure past the first, up to a day
        (or the interval, if longer): a source that keeps failing is asked less and less often."""
        interval = self.interval_seconds * (1 << min(max(failures - 1, 0), 20))
        interval = min(interval, max(self.interval_seconds, MAX_BACKOFF_SECONDS))
        spread = interval * self.jitter
        return max(1.0, interval + (rng or random).uniform(-spread, spread))

    @classmethod
    def from_location(cls, location: str, *, interval_seconds: float = 900.0, jitter: float = 0.1) -> Self:
        """A feed source for a bare location (BOI_INGEST_SOURCES); its id is the legacy source id."""
        location = location.strip()
        kind = guess_type(location)
        kind = kind if kind in FEED_TYPES else SourceType.RSS
        where = {"url": location} if is_http_url(location) else {"file": location}
        return cls(
            id=Source.from_location(location).source_id,
            type=kind,
            interval_seconds=max(1.0, interval_seconds),
            jitter=jitter,
            **where,
        )


class RunCounts(BaseModel):
    """Items of one run (or all runs) of a source."""

    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    skipped: int = 0


class SourceStatus(BaseModel):
    """What the runs of a source did: the last success, the last error and why, item counts."""

    last_run_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None
    last_run: RunCounts = Field(default_factory=RunCounts)
    totals: RunCounts = Field(default_factory=RunCounts)
    consecutive_failures: int = Field(default=0, description="Runs in a row that failed; 0 after a success")
    backoff_until: datetime | None = Field(
        default=None, description="While failing: no scheduled run before this (the wait grows per failure)"
    )


class RegisteredSource(BaseModel):
    """A source of the registry with its status."""

    config: SourceConfig
    status: SourceStatus = Field(default_factory=SourceStatus)


class SourceExistsError(ValueError):
    """A source with this id is already registered."""


class UnknownSourceError(KeyError):
    """No source with this id is registered."""

    def __str__(self) -> str:
        return f"no source with id {self.args[0]!r} (see `boi sources list`)"


class SourceRegistry(Protocol):
    """The registered sources and their status (the service's own database)."""

    async def add(self, config: SourceConfig) -> None: ...

    async def get(self, source_id: str) -> RegisteredSource: ...

    async def find(self, *, enabled_only: bool = False) -> list[RegisteredSource]: ...

    async def set_enabled(self, source_id: str, enabled: bool) -> None: ...

    async def remove(self, source_id: str) -> None: ...

    async def seed(self, configs: list[SourceConfig]) -> int: ...

    async def record_run(self, source_id: str, counts: RunCounts, errors: list[str], at: datetime) -> int:
        """Record a run's outcome; the failed runs in a row now (0 after a success)."""
        ...

    async def set_backoff(self, source_id: str, until: datetime) -> None:
        """No scheduled run of a failing source before `until` (kept across restarts)."""
        ...
