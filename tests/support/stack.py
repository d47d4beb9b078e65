"""The session's real stack: URLs from the environment, testcontainers where Docker runs, else native."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import free_port
from boi_devtools.stack.topics import ensure_topics_sync
from boi_shared.kafka_auth import ADMIN, KafkaConnection
from tests.support.kafka import register_stack


@dataclass(frozen=True)
class StackEndpoints:
    kafka_bootstrap: str
    mongo_url: str
    meili_url: str
    meili_master_key: str
    kind: str
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mailpit_url: str = "http://127.0.0.1:8025"
    """Mailpit's web inbox and REST API (`GET /api/v1/messages`)."""
    kafka_passwords: dict[str, str] = field(default_factory=dict, repr=False)
    """Password of each Kafka principal (SASL/SCRAM); empty for a broker without authentication."""
    kafka_admin: str = ADMIN
    data_dir: str = ""
    """The native stack's data directory (its generated credentials and logs); empty otherwise."""

    def __post_init__(self) -> None:
        # The Kafka helpers of tests/support find the credentials from the bootstrap address alone.
        register_stack(self.kafka_bootstrap, self.kafka_passwords, self.kafka_admin)

    def kafka_connection(self, principal: str = "") -> KafkaConnection:
        """How `principal` (the admin by default) connects to this stack's Kafka."""
        principal = principal or self.kafka_admin
        if not self.kafka_passwords:
            return KafkaConnection(self.kafka_bootstrap)
        return KafkaConnection(self.kafka_bootstrap, principal, self.kafka_passwords[principal])

    def kafka_settings(self, principal: str = "") -> dict[str, Any]:
        """`ServiceSettings` keyword arguments connecting to this stack's Kafka as `principal`."""
        kafka = self.kafka_connection(principal)
        return {
            "kafka_bootstrap_servers": kafka.bootstrap,
            "kafka_username": kafka.username,
            "kafka_password": SecretStr(kafka.password),
        }

    @property
    def kafka(self) -> KafkaConnection:
        return self.kafka_connection()

    def service_env(self, principal: str = "") -> dict[str, str]:
        """Environment for a service or command on this stack, as Kafka principal `principal` (the admin by
        default; `ServiceProcess` switches a service started with the admin to its own principal)."""
        kafka = self.kafka_connection(principal)
        return {
            "BOI_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            **(
                {"BOI_KAFKA_USERNAME": kafka.username, "BOI_KAFKA_PASSWORD": kafka.password}
                if kafka.username
                else {}
            ),
            "BOI_MONGO_URL": self.mongo_url,
            "BOI_MEILI_URL": self.meili_url,
            "BOI_MEILI_MASTER_KEY": self.meili_master_key,
            "BOI_SMTP_HOST": self.smtp_host,
            "BOI_SMTP_PORT": str(self.smtp_port),
        }


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def _admin_from_environment() -> dict[str, str]:
    user = os.environ.get("BOI_TEST_KAFKA_USERNAME", "")
    return {user: os.environ["BOI_TEST_KAFKA_PASSWORD"]} if user else {}


@contextmanager
def _from_environment() -> Iterator[StackEndpoints]:
    ep = StackEndpoints(
        kafka_bootstrap=os.environ["BOI_TEST_KAFKA_BOOTSTRAP_SERVERS"],
        mongo_url=os.environ["BOI_TEST_MONGO_URL"],
        meili_url=os.environ["BOI_TEST_MEILI_URL"],
        meili_master_key=os.environ["BOI_TEST_MEILI_MASTER_KEY"],
        kind="environment",
        smtp_host=os.environ.get("BOI_TEST_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(os.environ.get("BOI_TEST_SMTP_PORT", "1025")),
        mailpit_url=os.environ.get("BOI_TEST_MAILPIT_URL", "http://127.0.0.1:8025"),
        kafka_passwords=_admin_from_environment(),
        kafka_admin=os.environ.get("BOI_TEST_KAFKA_USERNAME", ADMIN),
    )
    ensure_topics_sync(ep.kafka)
    yield ep


@contextmanager
def _native() -> Iterator[StackEndpoints]:
    data_dir = Path(tempfile.mkdtemp(prefix="boi-test-stack-"))
    cfg = StackConfig(
        data_dir=data_dir,
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        mongo_port=free_port(),
        meili_port=free_port(),
        smtp_port=free_port(),
        mailpit_port=free_port(),
    )
    stack = LocalStack(cfg)
    # Stops the stack if this process dies without reaching `finally` (a timeout's SIGKILL…).
    reaper = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("reaper.py")), str(os.getpid()), str(data_dir)],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # outlives a kill of this process's group
    )
    try:
        stack.up()
        yield StackEndpoints(
            cfg.kafka_bootstrap,
            cfg.mongo_url,
            cfg.meili_url,
            cfg.master_key(),
            "native",
            cfg.host,
            cfg.smtp_port,
            cfg.mailpit_url,
            cfg.kafka_passwords(),
            data_dir=str(data_dir),
        )
    finally:
        reaper.terminate()
        stack.down()
        shutil.rmtree(data_dir, ignore_errors=True)
        reaper.wait()


@contextmanager
def _containers() -> Iterator[StackEndpoints]:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    key = "test-master-key-0123456789abcdef"
    with (
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
        MongoDbContainer("mongo:8.0") as mongo,
        DockerContainer("getmeili/meilisearch:v1.21.0")
        .with_env("MEILI_MASTER_KEY", key)
        .with_env("MEILI_MAX_INDEXING_MEMORY", "1GiB")
        .with_exposed_ports(7700) as meili,
        DockerContainer("axllent/mailpit:v1.33.1").with_exposed_ports(1025, 8025) as mailpit,
    ):
        wait_for_logs(meili, "Server listening", timeout=60)
        ep = StackEndpoints(
            kafka.get_bootstrap_server(),
            mongo.get_connection_url(),
            f"http://{meili.get_container_host_ip()}:{meili.get_exposed_port(7700)}",
            key,
            "testcontainers",
            mailpit.get_container_host_ip(),
            int(mailpit.get_exposed_port(1025)),
            f"http://{mailpit.get_container_host_ip()}:{mailpit.get_exposed_port(8025)}",
        )
        ensure_topics_sync(ep.kafka)
        yield ep


@contextmanager
def session_stack() -> Iterator[StackEndpoints]:
    if os.environ.get("BOI_TEST_KAFKA_BOOTSTRAP_SERVERS"):
        source = _from_environment
    elif _docker_available():
        source = _containers
    else:
        source = _native
    with source() as ep:
        yield ep
