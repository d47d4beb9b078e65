"""The real stack and all five services as processes the fault driver can kill, pause and multiply.

Services reach MongoDB and Meilisearch through `FaultyProxy`s, so latency and connection resets can be
injected between a service and its dependency without touching the dependency."""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import Component, free_port
from boi_shared.kafka_auth import ADMIN
from tests.chaos.proxy import FaultyProxy
from tests.support.catalog_site import users_env
from tests.support.kafka import register_stack
from tests.support.services import ServiceProcess

SERVICES = ("metrics", "notify", "catalog", "enrich", "ingest")
REAPER = Path(__file__).resolve().parents[1] / "support" / "reaper.py"


@dataclass
class Cluster:
    webhook_url: str
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="boi-chaos-")))
    replicas: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    admin_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def __post_init__(self) -> None:
        self.cfg = StackConfig(
            data_dir=self.data_dir,
            kafka_port=free_port(),
            kafka_controller_port=free_port(),
            mongo_port=free_port(),
            meili_port=free_port(),
        )
        self.stack = LocalStack(self.cfg)
        self.mongo_proxy = FaultyProxy(self.cfg.host, self.cfg.mongo_port)
        self.meili_proxy = FaultyProxy(self.cfg.host, self.cfg.meili_port)
        self._reaper: subprocess.Popen[bytes] | None = None
        self._secrets = {"webhook": secrets.token_urlsafe(24), "session": secrets.token_urlsafe(32)}

    # -- lifecycle ------------------------------------------------------------------------------------
    def up(self) -> None:
        self._reaper = subprocess.Popen(
            [sys.executable, str(REAPER), str(os.getpid()), str(self.data_dir)],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.stack.up()
        register_stack(self.cfg.kafka_bootstrap, self.cfg.kafka_passwords(), ADMIN)
        self.mongo_proxy.start()
        self.meili_proxy.start()
        for name in SERVICES:
            self.replicas[name] = [self.supervised(name)]

    def keep_logs(self, where: Path) -> None:
        """Copy the services' and the stack's logs out before the data directory goes."""
        shutil.copytree(self.data_dir / "logs", where / "services", dirs_exist_ok=True)
        shutil.copytree(
            self.stack.run_dir, where / "stack", dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.pid")
        )

    def down(self) -> None:
        for procs in self.replicas.values():
            for proc in procs:
                proc.stop()
        for proxy in (self.mongo_proxy, self.meili_proxy):
            proxy.stop()
        self.stack.down()
        if self._reaper:
            self._reaper.terminate()
            self._reaper.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def direct_mongo_url(self) -> str:
        return self.cfg.mongo_url

    @property
    def meili_url(self) -> str:
        return self.cfg.meili_url

    @property
    def master_key(self) -> str:
        return self.cfg.master_key()

    def env(self) -> dict[str, str]:
        return {
            "BOI_KAFKA_BOOTSTRAP_SERVERS": self.cfg.kafka_bootstrap,
            "BOI_MONGO_URL": f"mongodb://127.0.0.1:{self.mongo_proxy.port}/",
            "BOI_MEILI_URL": f"http://127.0.0.1:{self.meili_proxy.port}",
            "BOI_MEILI_MASTER_KEY": self.master_key,
            "BOI_ADMIN_TOKEN": self.admin_token,
            "BOI_WEBHOOK_SECRET": self._secrets["webhook"],
            "BOI_WEBHOOK_URLS": self.webhook_url,
            "BOI_OUTBOUND_ALLOWLIST": "127.0.0.1",
            "BOI_WEBHOOK_ALLOW_HTTP": "true",
            "BOI_INGEST_INTERVAL_SECONDS": "0",
            "BOI_MONGO_DATABASE": "",
            "BOI_CATALOG_AUTO_PUBLISH": "true",
            "BOI_SESSION_SECRET": self._secrets["session"],
            "BOI_CONSOLE_USERS": users_env(),
            "BOI_API_RATE_PER_MINUTE": "100000",
            "BOI_API_RATE_BURST": "10000",
        }

    def supervised(self, name: str, patience: float = 300.0) -> ServiceProcess:
        """Start `name`, starting it again when it exits (a service started while Kafka is down exits
        at start-up, as a pod would, and its supervisor — Kubernetes, compose — starts it again)."""
        deadline, delay = time.monotonic() + patience, 1.0
        while True:
            try:
                return self._service(name).start(timeout=120)
            except RuntimeError:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _service(self, name: str) -> ServiceProcess:
        log_dir = self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        return ServiceProcess(name, {**self.env(), **self.cfg.service_env(name)}, log_dir=log_dir)

    # -- faults ---------------------------------------------------------------------------------------
    def url(self, name: str) -> str:
        return self.replicas[name][0].url

    def kill_service(self, name: str) -> None:
        """kill -9 the first replica of `name`, then start it again (a crash and a restart)."""
        victim = self.replicas[name][0]
        if victim.proc:
            victim.proc.kill()
            victim.proc.wait()
        self.replicas[name][0] = self.supervised(name)

    def add_replica(self, name: str) -> None:
        self.replicas[name].append(self.supervised(name))

    def remove_replica(self, name: str) -> None:
        if len(self.replicas[name]) > 1:
            self.replicas[name].pop().stop()

    def _component(self, name: str) -> Component:
        return next(c for c in self.stack.components() if c.name == name)

    def kill_kafka(self, down_seconds: float) -> None:
        kafka = self._component("kafka")
        pid = kafka.pid()
        if pid:
            os.killpg(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)
        time.sleep(down_seconds)
        kafka.start()

    def pause(self, name: str, seconds: float) -> None:
        """SIGSTOP the component (ferretdb, meilisearch) for `seconds`, then SIGCONT."""
        pid = self._component(name).pid()
        if not pid:
            return
        os.killpg(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.killpg(pid, signal.SIGCONT)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True
