"""Settings of the metrics service (`BOI_*` environment variables)."""

from pydantic import Field, SecretStr

from boi_shared.branding import BrandingSettings
from boi_shared.settings import ServiceSettings


class Settings(ServiceSettings, BrandingSettings):
    """metrics' settings, with the entity's brand (`BOI_BRAND_*`, the catalog's values) for its pages."""

    metrics_top_max: int = Field(
        default=100, ge=1, description="Largest `limit` accepted by GET /api/metrics/top"
    )
    metrics_batch_size: int = Field(
        default=10_000, ge=1, le=50_000, description="Most impressions consumed and applied as one batch"
    )
    metrics_batch_wait_ms: int = Field(
        default=200, ge=1, description="Longest wait for a batch's records when fewer are waiting"
    )
    metrics_marker_sweep_seconds: float = Field(
        default=3600.0, gt=0, description="How often once-per-visitor markers older than 48 h are deleted"
    )
    metrics_max_range_days: int = Field(
        default=366, ge=1, description="Longest range of days the dashboard and exports accept"
    )
    # The console's session: the same variables as the catalog, whose /consola signs the cookie.
    console_users: SecretStr = Field(
        default=SecretStr(""), description="Console users `name:role:hash,…` (same value as the catalog's)"
    )
    session_secret: SecretStr = Field(
        default=SecretStr(""), description="Key the catalog signs console sessions with (same value)"
    )
    catalog_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The catalog, asked whether a console user added with `boi console user add` exists",
    )
