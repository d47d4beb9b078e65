"""Settings of the ingest service (`BOI_*` environment variables)."""

from pydantic import Field, SecretStr

from boi_shared.settings import CommaList, ServiceSettings


class Settings(ServiceSettings):
    ingest_sources: CommaList = Field(
        default_factory=list,
        description="Feeds to ingest: local file paths or http(s) URLs, comma-separated (BOI_INGEST_SOURCES)",
    )
    ingest_interval_seconds: float = Field(
        default=900.0, ge=0, description="Seconds between scheduled runs of every source; 0 = no schedule"
    )
    admin_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token of POST /api/ingest/run (BOI_ADMIN_TOKEN); empty = endpoint disabled",
    )
    fetch_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Total time allowed to fetch one source"
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Largest source document accepted, in bytes"
    )
