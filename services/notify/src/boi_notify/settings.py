"""Settings of the notify service (`BOI_*` environment variables)."""

from email.headerregistry import Address
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
        description="Partner endpoints to register at start-up if missing (named env-<hash>), signed with "
        "BOI_WEBHOOK_SECRET; `boi partners add` is the way to register partners",
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Key of the endpoints seeded from BOI_WEBHOOK_URLS (secret: whsec_ + base64 of it)",
    )
    webhook_allow_http: bool = Field(
        default=False, description="Accept http:// partner URLs (local tests and development only)"
    )
    webhook_timeout_seconds: float = Field(
        default=15.0, gt=0, description="Timeout of one webhook request (connect, write, read)"
    )
    webhook_schedule_scale: float = Field(
        default=1.0,
        gt=0,
        description="Scale of the retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); 0.001 in tests",
    )
    webhook_disable_after_seconds: float = Field(
        default=5 * 86_400, gt=0, description="An endpoint failing this long is disabled (5 days)"
    )
    webhook_concurrency: int = Field(default=64, ge=1, description="Webhook requests in flight at once")
    published_batch: int = Field(
        default=100,
        ge=1,
        description="Records of calls.published.v1 handled together at most (1: one by one)",
    )
    webhook_per_endpoint: int = Field(
        default=8, ge=1, description="Webhook requests in flight at once to one endpoint"
    )
    webhook_sweep_seconds: float = Field(
        default=30.0, gt=0, description="How often deliveries due (a lost timer, a dead replica) are taken up"
    )
    webhook_endpoint_refresh_seconds: float = Field(
        default=5.0, ge=0, description="How often the endpoints are read again (changes by the CLI, console)"
    )
    webhook_rotation_hours: float = Field(
        default=24.0, gt=0, description="How long the previous secret keeps signing after a rotation"
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
        default="", description="From: of every email; empty: the brand's name <boletin@localhost>"
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
    catalog_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The catalog, asked whether a console user added with `boi console user add` exists",
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

    @property
    def sender(self) -> str:
        """The From: of every email: `BOI_MAIL_FROM`, or the bulletin's name (quoted as RFC 5322 needs)."""
        return self.mail_from or str(Address(display_name=self.brand_name, addr_spec="boletin@localhost"))
