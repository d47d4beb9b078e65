"""Settings of the enrich service (`BOI_*` environment variables)."""

from typing import Literal

from pydantic import Field

from boi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    enrich_provider: Literal["local"] = Field(
        default="local", description="Enrichment provider (the openai provider comes with the enrich issue)"
    )
