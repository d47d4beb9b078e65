"""Start, watch and stop one native process: pid file, log file, readiness deadline, clean shutdown."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


class StackError(RuntimeError):
    """A stack component failed to start or stop; the message says why and where to look."""


@dataclass
class Component:
    """One process of the stack."""

    name: str
    argv: list[str]
    port: int
    run_dir: Path
    ready: Callable[[], bool]
    env: dict[str, str] = field(default_factory=dict)
    startup_seconds: float = 60.0
    prepare: Callable[[], None] | None = None

    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.run_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def start(self) -> None:
        if self.pid() is not None:
            self.wait_ready()
            return
        if port_open("127.0.0.1", self.port):
            raise StackError(
                f"{self.name}: port {self.port} is already used by another program; "
                f"stop it or choose another port (BOI_STACK_*_PORT)."
            )
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.prepare is not None:
            self.prepare()
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        self.pid_file.write_text(str(proc.pid))
        self.wait_ready(proc)

    def wait_ready(self, proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise StackError(f"{self.name} exited with {proc.returncode}:\n{self.log_tail()}")
            try:
                if self.ready():
                    return
            except Exception:  # noqa: S110 - not ready yet; the deadline bounds the wait
                pass
            time.sleep(0.25)
        raise StackError(f"{self.name} not ready after {self.startup_seconds:.0f}s:\n{self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)
        if _alive(pid):
            _signal_group(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) + f"\n(full log: {self.log_file})"


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # reap it if it is our child (a zombie still answers kill 0)
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def _signal_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
