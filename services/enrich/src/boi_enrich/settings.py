"""Settings of the enrich service (`BOI_*` environment variables; `OPENAI_API_KEY` and `OPENAI_BASE_URL`
are read too, as fallbacks of the `BOI_OPENAI_*` ones)."""

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from boi_shared.settings import CommaList, ServiceSettings

ProviderName = Literal["local", "openai"]
PROVIDERS: tuple[str, ...] = ("local", "openai")


class Settings(ServiceSettings):
    enrich_provider: ProviderName = Field(
        default="local", description="First provider of the chain: local (offline) or openai"
    )
    enrich_fallback: CommaList = Field(
        default_factory=lambda: ["local"],
        description="Providers tried, in order, when the one before fails; local always ends the chain",
    )
    openai_model: str = Field(default="gpt-5-mini", description="Model (the deployment name on Azure)")
    openai_base_url: str = Field(
        default="", description="API base URL; empty = OPENAI_BASE_URL, else api.openai.com (Azure: endpoint)"
    )
    openai_api_key: SecretStr = Field(default=SecretStr(""), description="API key; empty = OPENAI_API_KEY")
    openai_organization: str = Field(default="", description="OpenAI organization id, if any")
    openai_api_version: str = Field(
        default="", description="Azure OpenAI API version; set it to use Azure OpenAI"
    )
    openai_standard_api_key: SecretStr = Field(
        default=SecretStr(""), validation_alias="OPENAI_API_KEY", description="OPENAI_API_KEY"
    )
    openai_standard_base_url: str = Field(
        default="", validation_alias="OPENAI_BASE_URL", description="OPENAI_BASE_URL"
    )
    kafka_max_poll_interval_ms: int = Field(
        default=1_200_000,
        ge=1000,
        description="Kafka's max.poll.interval.ms: one call's enrichment may take half of it (10 min: a "
        "provider's requests with every retry and backoff, then the fallback, fit)",
    )
    openai_timeout_seconds: float = Field(default=60.0, gt=0, description="Timeout of one request")
    openai_max_retries: int = Field(
        default=3, ge=0, description="Retries of a request after 429, 5xx, timeout or connection error"
    )
    openai_backoff_initial_seconds: float = Field(default=1.0, ge=0, description="First backoff")
    openai_backoff_max_seconds: float = Field(
        default=60.0, ge=0, description="Longest backoff, also the cap on a server's Retry-After"
    )
    openai_max_output_tokens: int = Field(default=4000, ge=1, description="Output token limit per request")
    openai_max_tokens_param: Literal["max_completion_tokens", "max_tokens"] = Field(
        default="max_completion_tokens",
        description="Name of the output limit parameter (older OpenAI-compatible servers want max_tokens)",
    )
    openai_temperature: float | None = Field(
        default=None, description="Sampling temperature; unset = the model's default (reasoning models)"
    )
    openai_reasoning_effort: str = Field(
        default="", description="reasoning_effort for reasoning models (minimal, low, …); empty = not sent"
    )
    openai_max_input_chars: int = Field(
        default=12000, ge=500, description="Longest call text sent to the model (longer is cut)"
    )
    openai_price_input_per_1m: float = Field(
        default=0.25, ge=0, description="USD per 1M input tokens (defaults: gpt-5-mini list price)"
    )
    openai_price_output_per_1m: float = Field(default=2.0, ge=0, description="USD per 1M output tokens")
    openai_daily_budget_usd: float = Field(
        default=5.0, ge=0, description="Spend cap per UTC day; once reached the chain skips openai"
    )
    openai_max_concurrency: int = Field(default=4, ge=1, description="Requests in flight per process")
    openai_requests_per_minute: int = Field(
        default=500, ge=0, description="Request rate limit per process (0 = none)"
    )
    openai_tokens_per_minute: int = Field(
        default=200_000, ge=0, description="Token rate limit per process (0 = none)"
    )

    def provider_chain(self) -> list[str]:
        """BOI_ENRICH_PROVIDER, then BOI_ENRICH_FALLBACK in order, without repeats, ending at local."""
        chain: list[str] = []
        for name in [self.enrich_provider, *self.enrich_fallback, "local"]:
            if name not in chain:
                chain.append(name)
            if name == "local":
                break
        return chain

    def openai_key(self) -> str:
        return (
            self.openai_api_key.get_secret_value() or self.openai_standard_api_key.get_secret_value()
        ).strip()

    def openai_url(self) -> str:
        return (self.openai_base_url or self.openai_standard_base_url).strip()

    @model_validator(mode="after")
    def _check_chain(self) -> Self:
        unknown = sorted(set(self.enrich_fallback) - set(PROVIDERS))
        if unknown:
            raise ValueError(f"BOI_ENRICH_FALLBACK: unknown provider(s) {unknown}; known: {list(PROVIDERS)}")
        if "openai" in self.provider_chain() and not (self.openai_key() or self.openai_url()):
            raise ValueError(
                "the openai provider needs BOI_OPENAI_API_KEY (or OPENAI_API_KEY), or BOI_OPENAI_BASE_URL "
                "for an OpenAI-compatible server without keys"
            )
        if self.openai_api_version and not self.openai_url():
            raise ValueError("Azure OpenAI (BOI_OPENAI_API_VERSION) needs BOI_OPENAI_BASE_URL = the endpoint")
        return self
