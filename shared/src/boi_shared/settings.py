"""Base settings every service extends: read once from `BOI_*` environment variables in `create_app`."""

import ipaddress
from typing import Annotated, Any, Self

from pydantic import BeforeValidator, Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from boi_shared.kafka_auth import KafkaConnection
from boi_shared.secrets import NotAKey, check_secret


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


def _env_name(cls: type[BaseSettings], name: str, field: FieldInfo) -> str:
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    return f"{cls.model_config.get('env_prefix', '')}{name}".upper()


class ServiceSettings(BaseSettings):
    """Settings common to every BOI service."""

    # hide_input_in_errors: a refused setting must not print the environment (secrets) in the error.
    model_config = SettingsConfigDict(
        env_prefix="BOI_", extra="ignore", frozen=True, hide_input_in_errors=True
    )

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, host:port[,host:port]"
    )
    kafka_username: str = Field(
        default="",
        description="SASL/SCRAM-SHA-512 principal of this service or command on Kafka (its own, e.g. "
        "`catalog`; see boi_shared.kafka_auth.GRANTS); empty = no authentication (a broker without any)",
    )
    kafka_password: SecretStr = Field(
        default=SecretStr(""), description="Password of BOI_KAFKA_USERNAME (required with it)"
    )
    kafka_tls: bool = Field(default=False, description="SASL_SSL instead of SASL_PLAINTEXT")
    mongo_url: Annotated[SecretStr, NotAKey()] = Field(
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

    trusted_proxies: CommaList = Field(
        default_factory=list,
        description="CIDRs of the reverse proxies (ingress, load balancer) in front of the service, "
        "comma-separated: only when the peer is one of them is the right-most address of X-Forwarded-For "
        "that is not a trusted proxy taken as the client (rate limits); empty = the peer is the client",
    )
    api_rate_per_minute: int = Field(
        default=120,
        ge=0,
        description="Requests per minute per client on every public route of a rate-limited service, "
        "the JSON API and the pages counted apart (0: no limit)",
    )
    api_rate_burst: int = Field(default=30, ge=1, description="Burst of the rate limit per client")
    http_max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest request body any route accepts (413 above it)"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"BOI_TRUSTED_PROXIES: {value!r} is not an address or CIDR") from None
        return values

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        """Every secret setting of every service: no placeholder, no short key (`boi_shared.secrets`)."""
        cls = type(self)
        for name, field in cls.model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                is_key = not any(isinstance(m, NotAKey) for m in field.metadata)
                check_secret(_env_name(cls, name, field), value.get_secret_value(), is_key=is_key)
        return self

    @model_validator(mode="after")  # after the secrets' own check, whose message is more precise
    def _kafka_credentials_paired(self) -> Self:
        if bool(self.kafka_username) != bool(self.kafka_password.get_secret_value()):
            raise ValueError(
                "BOI_KAFKA_USERNAME and BOI_KAFKA_PASSWORD go together: set both (SASL/SCRAM) or neither"
            )
        return self

    def kafka_connection(self) -> KafkaConnection:
        """How this process connects to Kafka: every broker, admin client and command goes through it."""
        return KafkaConnection(
            self.kafka_bootstrap_servers,
            self.kafka_username,
            self.kafka_password.get_secret_value(),
            self.kafka_tls,
        )

    def database_name(self, service: str) -> str:
        return self.mongo_database or service
