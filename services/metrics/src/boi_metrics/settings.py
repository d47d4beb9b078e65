"""Settings of the metrics service (`BOI_*` environment variables)."""

from pydantic import Field

from boi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    metrics_top_max: int = Field(
        default=100, ge=1, description="Largest `limit` accepted by GET /api/metrics/top"
    )
