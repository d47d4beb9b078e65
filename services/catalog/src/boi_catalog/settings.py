"""Settings of the catalog service (`BOI_*` environment variables)."""

from typing import Annotated, Self

from pydantic import Field, SecretStr, model_validator

from boi_catalog.branding import BrandingSettings
from boi_shared.secrets import NotAKey
from boi_shared.settings import ServiceSettings


class Settings(ServiceSettings, BrandingSettings):
    meili_url: str = Field(default="http://127.0.0.1:7700", description="Meilisearch base URL")
    meili_master_key: SecretStr = Field(
        default=SecretStr(""), description="Meilisearch master key (server side only, never shown)"
    )
    meili_index: str = Field(default="calls", description="Meilisearch index of the public calls")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of the public site, for call links"
    )
    notify_public_url: str = Field(
        default="",
        description="Public URL of notify, where the site's subscription form posts (empty: no form shown)",
    )
    # Public surfaces (web/): browser search, rate limit, console.
    meili_public_url: str = Field(
        default="",
        description="Meilisearch URL as browsers reach it, through a public proxy (direct browser search "
        "only; empty: browsers never learn any Meilisearch URL)",
    )
    search_token_ttl_seconds: int = Field(
        default=3600, ge=60, description="Lifetime of the tenant token handed to browsers"
    )
    report_rate_per_minute: int = Field(
        default=1, ge=0, description="Citizen problem reports per minute per client (0: no limit)"
    )
    report_rate_burst: int = Field(default=5, ge=1, description="Citizen problem reports in a burst")
    beacon_rate_per_minute: int = Field(
        default=60,
        ge=0,
        description="Beacon batches (POST /api/impresiones) per minute per client (0: no limit)",
    )
    beacon_rate_burst: int = Field(default=20, ge=1, description="Beacon burst size per client")
    console_users: Annotated[SecretStr, NotAKey()] = Field(
        default=SecretStr(""),
        description="Console users, comma-separated `name:role:pbkdf2_sha256$…` (role curator or admin)",
    )
    session_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key signing console sessions (empty: random per process; sessions end on restart)",
    )
    # Core: lifecycle, indexing and scheduled jobs.
    catalog_auto_publish: bool = Field(
        default=False,
        description="Publish every call as it arrives, skipping the review queue (demos, e2e tests)",
    )
    index_batch_size: int = Field(
        default=20_000, ge=1, description="Most documents written to Meilisearch in one task"
    )
    index_tasks_in_flight: int = Field(
        default=64,
        ge=1,
        le=1000,
        description="Indexing tasks enqueued in Meilisearch and not confirmed yet. Meilisearch merges the "
        "tasks waiting in its queue into one batch, so a burst of calls costs the engine few batches",
    )
    index_sweep_seconds: float = Field(
        default=10.0, description="Interval of the sweeper re-queuing calls still pending indexing (0: off)"
    )
    expiry_interval_seconds: float = Field(
        default=3600.0, description="Interval of the cierra_pronto / cerrada calendar job (0: off)"
    )
    link_check_interval_seconds: float = Field(
        default=86400.0, description="Interval of the official-link health check (0: off)"
    )
    link_check_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one link check")
    link_check_concurrency: int = Field(default=8, ge=1, description="Links checked at once")
    plan_interval_seconds: float = Field(
        default=60.0, description="How often due day plans are announced (0: off; the console still does)"
    )
    metrics_url: str = Field(
        default="",
        description="Metrics service base URL: views per call for the bulletin score (empty: none)",
    )
    embed_frame_ancestors: str = Field(
        default="*",
        description="Sites allowed to frame the embeddable search /embed (CSP frame-ancestors, e.g. "
        "`https://partner.example`; `*` any)",
    )
    browser_search_direct: bool = Field(
        default=False,
        description="The site script searches Meilisearch with a tenant token (default: via /api/web/calls)",
    )
    consume_batch_size: int = Field(
        default=500,
        ge=1,
        description="Most calls.enriched.v1 records handled together (1: one by one)",
    )

    @model_validator(mode="after")
    def _direct_search_needs_a_public_url(self) -> Self:
        if self.browser_search_direct and not self.meili_public_url:
            raise ValueError(
                "BOI_BROWSER_SEARCH_DIRECT=true needs BOI_MEILI_PUBLIC_URL: the public address of a proxy "
                "to Meilisearch (browsers must never be given the internal BOI_MEILI_URL)"
            )
        return self
