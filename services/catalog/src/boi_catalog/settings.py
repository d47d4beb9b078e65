"""Settings of the catalog service (`BOI_*` environment variables)."""

from pydantic import Field, SecretStr

from boi_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    meili_url: str = Field(default="http://127.0.0.1:7700", description="Meilisearch base URL")
    meili_master_key: SecretStr = Field(
        default=SecretStr(""), description="Meilisearch master key (server side only, never shown)"
    )
    meili_index: str = Field(default="calls", description="Meilisearch index of the public calls")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of the public site, for call links"
    )
