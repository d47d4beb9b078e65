"""Base settings every service extends: read once from `BOI_*` environment variables in `create_app`."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, SecretStr
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_commas(value: Any) -> Any:
    """Operators write lists as `a,b,c`; JSON lists are accepted too."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            return json.loads(text)
        return [item.strip() for item in text.split(",") if item.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_split_commas)]


class ServiceSettings(BaseSettings):
    """Settings common to every BOI service."""

    model_config = SettingsConfigDict(env_prefix="BOI_", extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, host:port[,host:port]"
    )
    mongo_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:27017"), description="MongoDB connection string"
    )
    mongo_database: str = Field(default="", description="Database of this service (its name if empty)")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING, ERROR")
    retry_initial_seconds: float = Field(default=0.5, description="First backoff of a transient error")
    retry_max_seconds: float = Field(default=30.0, description="Longest backoff of a transient error")
    unknown_error_attempts: int = Field(
        default=3,
        description="Attempts for an error that is neither about the message's content nor about a "
        "dependency (a bug) before it goes to the DLQ; dependency failures are retried forever",
    )
    kafka_max_poll_interval_ms: int = Field(
        default=300_000,
        ge=1000,
        description="Kafka's max.poll.interval.ms for consumers; one attempt at a message may take half "
        "of it and a backoff a quarter, so a consumer waiting for a dependency stays in its group",
    )

    outbound_allowlist: CommaList = Field(
        default_factory=list,
        description="Hosts, addresses or CIDRs that outbound requests (feeds, link checks, webhooks) may "
        "reach although private, loopback, link-local… (BOI_OUTBOUND_ALLOWLIST, e.g. "
        "`127.0.0.1,10.0.0.0/8,intranet.example.org`); empty = public addresses only",
    )

    def database_name(self, service: str) -> str:
        return self.mongo_database or service
