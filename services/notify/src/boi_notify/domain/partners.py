"""Partner endpoints and their filters, as pure values: a name (also the impression's channel detail), a
URL, a secret (the previous one too while a rotation lasts), a filter on type, sector, Colombia
eligibility and change kind, and whether the endpoint is enabled."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from boi_shared.events import CallPublished
from boi_shared.taxonomy import CallType, Eligibility

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"  # ImpressionRecorded.channel_detail accepts exactly these
MAX_FILTER_TEXT = 1000  # the whole --filter text of an endpoint
MAX_VALUES = 20  # values per key
MAX_VALUE_LENGTH = 60
Change = Literal["published", "updated", "closed", "withdrawn"]


class InvalidPartner(ValueError):
    """A registration refused: the message says what is wrong and what to do."""


class EndpointFilter(BaseModel):
    """Which events an endpoint receives; an empty list means "any". All set keys must match."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: list[CallType] = Field(default_factory=list, max_length=MAX_VALUES)
    sector: list[str] = Field(default_factory=list, max_length=MAX_VALUES)
    colombia: list[Eligibility] = Field(default_factory=list, max_length=MAX_VALUES)
    change: list[Change] = Field(default_factory=list, max_length=MAX_VALUES)

    def matches(self, event: CallPublished) -> bool:
        call = event.call
        return (
            (not self.type or call.call_type in self.type)
            and (not self.sector or bool({s.lower() for s in call.sectors} & set(self.sector)))
            and (not self.colombia or call.colombia_eligible in self.colombia)
            and (not self.change or event.change in self.change)
        )

    def describe(self) -> str:
        parts = [
            f"{k}={','.join(str(v) for v in vs)}" for k, vs in self.model_dump(mode="json").items() if vs
        ]
        return " ".join(parts) or "todo"


def parse_filter(texts: Sequence[str]) -> EndpointFilter:
    """`["type=beca,curso", "colombia=si"]` → a filter; InvalidPartner with the reason otherwise."""
    if sum(len(t) for t in texts) > MAX_FILTER_TEXT:
        raise InvalidPartner(f"the filter is longer than {MAX_FILTER_TEXT} characters")
    values: dict[str, list[str]] = {}
    for text in texts:
        key, sep, raw = text.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise InvalidPartner(f"filter {text[:80]!r} is not KEY=VALUE[,VALUE…]")
        if key not in EndpointFilter.model_fields:
            raise InvalidPartner(f"unknown filter key {key[:40]!r}: use type, sector, colombia or change")
        items = [v.strip().lower() for v in raw.split(",") if v.strip()]
        if not items:
            raise InvalidPartner(f"filter {key} has no value")
        if any(len(v) > MAX_VALUE_LENGTH for v in items):
            raise InvalidPartner(f"a value of filter {key} is longer than {MAX_VALUE_LENGTH} characters")
        values.setdefault(key, []).extend(items)
    try:
        return EndpointFilter.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidPartner(f"filter {where}: {first['msg']}") from None


def check_name(name: str) -> str:
    if not re.fullmatch(NAME_PATTERN, name):
        raise InvalidPartner(
            f"name {name[:60]!r}: use 1–40 lowercase letters, digits, '.', '_' or '-' (it is shown in the "
            "reach figures)"
        )
    return name


@dataclass(frozen=True)
class Endpoint:
    """A partner endpoint as stored."""

    name: str
    url: str
    secret: str
    filter: EndpointFilter = field(default_factory=EndpointFilter)
    enabled: bool = True
    previous_secret: str | None = None
    previous_until: datetime | None = None
    disabled_reason: str | None = None
    failing_since: datetime | None = None
    secret_shown: bool = False  # printed once on a terminal; never again

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign a request now: the current one, and the previous one during a rotation."""
        keep = self.previous_secret and self.previous_until and now < self.previous_until
        return [self.secret, self.previous_secret] if keep and self.previous_secret else [self.secret]
