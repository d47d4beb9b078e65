"""Settings of the notify service (`BOI_*` environment variables)."""

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from boi_shared.settings import CommaList, ServiceSettings


class Settings(ServiceSettings):
    webhook_urls: CommaList = Field(
        default_factory=list,
        description="Partner endpoints receiving every calls.published.v1 event, comma-separated",
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="Shared HMAC-SHA256 secret that signs every webhook request"
    )
    webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, description="Timeout of one webhook request (connect, write, read)"
    )
    webhook_attempts: int = Field(
        default=5, ge=1, description="Attempts per endpoint on 5xx, 429, timeouts and connection errors"
    )
    webhook_backoff_initial_seconds: float = Field(
        default=0.5, ge=0, description="First backoff between two attempts (doubles, with jitter)"
    )
    webhook_backoff_max_seconds: float = Field(
        default=10.0, ge=0, description="Longest backoff between two attempts"
    )

    @field_validator("webhook_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"BOI_WEBHOOK_URLS: {url!r} is not an http(s) URL")
        if len(set(urls)) != len(urls):
            raise ValueError("BOI_WEBHOOK_URLS lists the same URL twice")
        return urls

    @model_validator(mode="after")
    def _secret_when_urls(self) -> "Settings":
        if self.webhook_urls and not self.webhook_secret.get_secret_value():
            raise ValueError("BOI_WEBHOOK_SECRET must be set when BOI_WEBHOOK_URLS lists endpoints")
        return self
