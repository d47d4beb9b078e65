"""`LocalStack`: the real components wired together, as the CLI and the tests use them."""

import base64
import subprocess
import uuid
from pathlib import Path

import httpx
from pymongo import MongoClient

from boi_devtools.stack import install
from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.process import Component, StackError, port_open
from boi_devtools.stack.topics import ensure_topics_sync


class LocalStack:
    """Kafka (KRaft, combined broker+controller), FerretDB (SQLite), Meilisearch and Mailpit on 127.0.0.1."""

    def __init__(self, cfg: StackConfig | None = None) -> None:
        self.cfg = cfg or StackConfig()
        self.run_dir = self.cfg.data_dir / "run"

    def install(self) -> dict[str, Path]:
        return install.install_all(self.cfg)

    def components(self) -> list[Component]:
        return [self._ferretdb(), self._meilisearch(), self._mailpit(), self._kafka()]

    def up(self) -> None:
        self.install()
        for component in self.components():
            component.start()
        ensure_topics_sync(self.cfg.kafka_bootstrap)

    def down(self) -> None:
        for component in reversed(self.components()):
            component.stop()

    def status(self) -> list[dict[str, int | str | None]]:
        rows: list[dict[str, int | str | None]] = []
        for c in self.components():
            pid = c.pid()
            rows.append(
                {
                    "name": c.name,
                    "pid": pid,
                    "port": c.port,
                    "state": "running" if pid and port_open("127.0.0.1", c.port) else "stopped",
                    "log": str(c.log_file),
                }
            )
        return rows

    def _kafka(self) -> Component:
        cfg = self.cfg
        data = cfg.data_dir / "kafka"
        props = self.run_dir / "kafka-server.properties"
        libs = install.kafka_libs(cfg)
        java_argv = [
            "java",
            f"-Xmx{cfg.kafka_heap}",
            "-Xms128m",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            "-cp",
            f"{libs}/*",
        ]

        def prepare() -> None:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            props.write_text(_kafka_properties(cfg, data))
            if not (data / "meta.properties").exists():
                data.mkdir(parents=True, exist_ok=True)
                cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
                proc = subprocess.run(
                    [
                        *java_argv,
                        "kafka.tools.StorageTool",
                        "format",
                        f"--cluster-id={cluster_id}",
                        "-c",
                        str(props),
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if proc.returncode != 0:
                    raise StackError(f"kafka storage format failed:\n{proc.stdout}{proc.stderr}")

        return Component(
            name="kafka",
            argv=[*java_argv, "kafka.Kafka", str(props)],
            port=cfg.kafka_port,
            run_dir=self.run_dir,
            ready=lambda: port_open(cfg.host, cfg.kafka_port),
            startup_seconds=90,
            prepare=prepare,
        )

    def _ferretdb(self) -> Component:
        cfg = self.cfg
        data = cfg.data_dir / "ferretdb"
        data.mkdir(parents=True, exist_ok=True)

        def ready() -> bool:
            client: MongoClient[dict[str, object]]
            with MongoClient(cfg.mongo_url, serverSelectionTimeoutMS=500) as client:
                client.admin.command("ping")
            return True

        return Component(
            name="ferretdb",
            argv=[
                str(install.ferretdb_binary(cfg)),
                "--handler=sqlite",
                f"--sqlite-url=file:{data.resolve()}/",
                f"--listen-addr={cfg.host}:{cfg.mongo_port}",
                "--telemetry=disable",
                "--debug-addr=-",
                f"--state-dir={data.resolve()}",
                "--log-level=warn",
            ],
            port=cfg.mongo_port,
            run_dir=self.run_dir,
            ready=ready,
            startup_seconds=30,
        )

    def _meilisearch(self) -> Component:
        cfg = self.cfg
        data = cfg.data_dir / "meilisearch"

        def ready() -> bool:
            return httpx.get(f"{cfg.meili_url}/health", timeout=1).status_code == 200

        return Component(
            name="meilisearch",
            argv=[
                str(install.meili_binary(cfg)),
                "--db-path",
                str(data / "data.ms"),
                "--dump-dir",
                str(data / "dumps"),
                "--snapshot-dir",
                str(data / "snapshots"),
                "--http-addr",
                f"{cfg.host}:{cfg.meili_port}",
                "--env",
                "production",
                "--no-analytics",
                "--log-level",
                "WARN",
                "--max-indexing-memory",
                cfg.meili_max_indexing_memory,
            ],
            env={"MEILI_MASTER_KEY": cfg.master_key()},
            port=cfg.meili_port,
            run_dir=self.run_dir,
            ready=ready,
            startup_seconds=30,
        )

    def _mailpit(self) -> Component:
        cfg = self.cfg
        data = cfg.data_dir / "mailpit"
        data.mkdir(parents=True, exist_ok=True)

        def ready() -> bool:
            return httpx.get(f"{cfg.mailpit_url}/readyz", timeout=1).status_code == 200

        return Component(
            name="mailpit",
            argv=[
                str(install.mailpit_binary(cfg)),
                # Mailpit binds every interface by default; the local stack stays on 127.0.0.1.
                f"--listen={cfg.host}:{cfg.mailpit_port}",
                f"--smtp={cfg.host}:{cfg.smtp_port}",
                "--pop3=",
                f"--database={data.resolve()}/mailpit.db",
                f"--max={cfg.mailpit_max_messages}",
                "--disable-version-check",
                "--quiet",
            ],
            port=cfg.mailpit_port,
            run_dir=self.run_dir,
            ready=ready,
            startup_seconds=30,
        )


def _kafka_properties(cfg: StackConfig, data: Path) -> str:
    h = cfg.host
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{h}:{cfg.kafka_controller_port}",
            f"listeners=PLAINTEXT://{h}:{cfg.kafka_port},CONTROLLER://{h}:{cfg.kafka_controller_port}",
            f"advertised.listeners=PLAINTEXT://{h}:{cfg.kafka_port}",
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            f"log.dirs={data.resolve()}",
            "auto.create.topics.enable=false",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "",
        ]
    )
