"""Settings of the notify service (`BOI_*` environment variables)."""

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from boi_shared.branding import BrandingSettings
from boi_shared.secrets import NotAKey
from boi_shared.settings import CommaList, ServiceSettings


class Settings(ServiceSettings, BrandingSettings):
    """notify's settings, with the entity's brand (`BOI_BRAND_*`, the catalog's values) for its emails."""

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

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server (relay) the emails are handed to")
    smtp_port: int = Field(default=1025, ge=1, le=65535, description="Port of the SMTP server")
    smtp_username: str = Field(default="", description="SMTP user, when the relay requires authentication")
    smtp_password: Annotated[SecretStr, NotAKey()] = Field(
        default=SecretStr(""),
        description="SMTP password (the relay's: any length, checked for placeholders only)",
    )
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, description="Timeout of one SMTP exchange")
    mail_from: str = Field(
        default="Boletín de Oferta Internacional <boletin@localhost>", description="From: of every email"
    )
    subscription_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key signing the links of the emails (confirm, manage, unsubscribe). Empty: a random key "
        "per start, so links die with the process (fine for tests, never for production)",
    )
    notify_public_url: str = Field(
        default="http://127.0.0.1:8003", description="Public URL of notify's /suscripcion pages (email links)"
    )
    public_base_url: str = Field(default="http://127.0.0.1:8000", description="The public site")
    privacy_controller: str = Field(
        default="La entidad que publica este boletín (contacto: el remitente de los boletines).",
        description="Controller named in the privacy notice (name, address, contact email)",
    )
    confirm_link_days: int = Field(default=7, ge=1, description="Days a confirmation link stays valid")
    mail_concurrency: int = Field(default=8, ge=1, description="Digest emails handed to SMTP at once")
    digest_hour: int = Field(
        default=7, ge=0, le=23, description="Bogotá hour after which yesterday's digests go"
    )
    reminder_days: list[int] = Field(
        default_factory=lambda: [7, 1],
        description="Days before a deadline a reminder goes to those who received the call (JSON list)",
    )
    scheduler_interval_seconds: float = Field(
        default=300.0,
        ge=0,
        description="How often digests due and the unconfirmed sweep are checked (0: never)",
    )
    console_users: Annotated[SecretStr, NotAKey()] = Field(
        default=SecretStr(""),
        description="Console users `name:role:hash,…` (the catalog's): who opens /consola/suscripciones",
    )
    session_secret: SecretStr = Field(
        default=SecretStr(""), description="Key the catalog signs console sessions with (the catalog's value)"
    )
    subscribe_rate_per_minute: int = Field(
        default=10, ge=0, description="Subscription requests a minute per client (0: no limit)"
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
