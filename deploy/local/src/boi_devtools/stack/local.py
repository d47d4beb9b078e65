"""`LocalStack`: the real components wired together, as the CLI and the tests use them."""

from pathlib import Path

import httpx
from pymongo import MongoClient

from boi_devtools.stack import install
from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.kafka import kafka_component
from boi_devtools.stack.kafka_security import apply_users_and_acls
from boi_devtools.stack.process import Component, port_open
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
        admin = self.cfg.kafka_connection()
        apply_users_and_acls(admin, self.cfg.kafka_passwords())
        ensure_topics_sync(admin)

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
        return kafka_component(self.cfg, self.run_dir)

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
