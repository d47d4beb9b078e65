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
    ingest_jitter: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="± fraction of the interval added at random to the schedule of BOI_INGEST_SOURCES",
    )
    sources_refresh_seconds: float = Field(
        default=30.0, gt=0, description="How often the scheduler re-reads the sources registry"
    )
    ingest_file_roots: CommaList = Field(
        default_factory=list,
        description="Directories local source files may be read from (BOI_INGEST_FILE_ROOTS); empty = any "
        "path an operator gives",
    )
    fetch_retries: int = Field(
        default=2, ge=0, le=10, description="Retries of a fetch after a 5xx, 429 or timeout (with backoff)"
    )
    fetch_per_host_limit: int = Field(default=2, ge=1, le=32, description="Requests at a time to one host")
    ingest_normalize_workers: int = Field(
        default=1,
        ge=0,
        le=16,
        description="Worker processes that normalize items (language, date and funder candidates) while "
        "the service publishes (BOI_INGEST_NORMALIZE_WORKERS); 0 = in the service process",
    )
    ingest_parse_memory_mb: int = Field(
        default=112,
        ge=16,
        le=65536,
        description="Memory a document's parse may take, in MB of address space above the parser process's "
        "own (BOI_INGEST_PARSE_MEMORY_MB); past it the parse stops with an error for that source",
    )
    ingest_parse_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Time a document's parse may take (BOI_INGEST_PARSE_TIMEOUT_SECONDS); past it the "
        "parser process is killed and the source fails with an error",
    )
