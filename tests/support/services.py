"""Run a BOI service as a real process (uvicorn), wait for /readyz, stop it gracefully."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from boi_devtools.stack.process import free_port
from tests.support.kafka import own_principal_env


@dataclass
class ServiceProcess:
    name: str
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    log_dir: Path = Path("/tmp")
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"boi-test-{self.name}-{self.port}.log"

    def start(self, timeout: float = 60.0) -> "ServiceProcess":
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"boi_{self.name}.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--no-proxy-headers",
        ]
        with self.log_file.open("wb") as log:
            self.proc = subprocess.Popen(
                argv,
                env=own_principal_env({**os.environ, **self.env}, self.name),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_file.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        # Not ready in time: stopped, so a caller that starts another (a supervisor's retry) never leaves
        # an unmanaged replica behind in the consumer groups.
        self.stop()
        raise RuntimeError(f"{self.name} not ready:\n{self.log_file.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
