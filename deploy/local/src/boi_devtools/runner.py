"""`boi run` (`make run`): the stack, the five services and the public site with demo sources."""

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import typer

from boi_devtools.demo import demo_feed
from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import StackError, port_open

SERVICES = {"catalog": 0, "ingest": 1, "enrich": 2, "notify": 3, "metrics": 4}
REAL_FEEDS = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "feeds"


@dataclass
class RunningService:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path


def _secret(cfg: StackConfig, name: str) -> str:
    path = cfg.data_dir / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(24))
    return path.read_text().strip()


DEMO_USERS = (("demo-admin", "admin"), ("demo-curador", "curator"))


def demo_users() -> tuple[str, list[tuple[str, str, str]]]:
    """Console users for this run with fresh random passwords: the `BOI_CONSOLE_USERS` value (hashes
    only, made by the catalog's own command) and (name, role, password) to print once on the terminal."""
    entries, shown = [], []
    for name, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        entry = subprocess.run(
            [sys.executable, "-m", "boi_catalog.web.cli_users", "hash-password", name, "--role", role],
            input=f"{password}\n",
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        entries.append(entry)
        shown.append((name, role, password))
    return ",".join(entries), shown


def credentials_text(shown: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"  {role:8} usuario: {name}  contraseña: {password}" for name, role, password in shown)


def demo_sources(extra: list[str]) -> list[str]:
    """The shipped demo feed, the real feeds of ../shared/data when present, and any extra ones."""
    sources = [str(demo_feed())]
    if REAL_FEEDS.is_dir():
        sources += [str(p) for p in sorted(REAL_FEEDS.glob("*.xml"))]
    return sources + extra


def _start(name: str, port: int, env: dict[str, str], log_dir: Path) -> RunningService:
    if port_open("127.0.0.1", port):
        raise StackError(f"port {port} for {name} is in use: stop what uses it or pass --port")
    log = log_dir / f"{name}.log"
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"boi_{name}.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        "--no-proxy-headers",
    ]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return RunningService(name, port, proc, log)


def _wait_ready(svc: RunningService, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if svc.proc.poll() is not None:
            raise StackError(f"{svc.name} exited; see {svc.log}")
        try:
            if httpx.get(f"http://127.0.0.1:{svc.port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise StackError(f"{svc.name} not ready after {timeout:.0f}s; see {svc.log}")


def _wait_searchable(site: str, timeout: float = 120.0, settle: float = 5.0) -> int:
    """Wait until calls are searchable and their count has stopped growing for `settle` seconds."""
    deadline = time.monotonic() + timeout
    total, changed_at = 0, time.monotonic()
    while time.monotonic() < deadline:
        try:
            now_total = int(httpx.get(f"{site}/api/calls", timeout=5).json().get("total", 0))
        except (httpx.HTTPError, ValueError):
            now_total = total
        if now_total != total:
            total, changed_at = now_total, time.monotonic()
        elif total and time.monotonic() - changed_at >= settle:
            return total
        time.sleep(0.5)
    return total


def run_all(site_port: int = 8000, extra_feeds: list[str] | None = None) -> None:
    stack = LocalStack()
    started = time.monotonic()
    typer.echo("starting the stack (Kafka, FerretDB, Meilisearch, Mailpit)…")
    stack.up()
    ready_at = time.monotonic()
    typer.echo(f"stack ready in {ready_at - started:.0f}s")
    cfg = stack.cfg
    log_dir = cfg.data_dir / "services"
    log_dir.mkdir(parents=True, exist_ok=True)
    site = f"http://127.0.0.1:{site_port}"
    # Printed once below, on this terminal only: never written to a file or passed on a command line.
    users_env, shown = demo_users()
    notify_url = f"http://127.0.0.1:{site_port + SERVICES['notify']}"
    env = {
        **cfg.service_env(),
        "BOI_PUBLIC_BASE_URL": site,
        "BOI_INGEST_SOURCES": ",".join(demo_sources(extra_feeds or [])),
        "BOI_INGEST_INTERVAL_SECONDS": "900",
        "BOI_ADMIN_TOKEN": _secret(cfg, "admin-token"),
        "BOI_WEBHOOK_SECRET": _secret(cfg, "webhook-secret"),
        "BOI_CATALOG_AUTO_PUBLISH": "true",
        # Views per call for the weekly bulletin's score.
        "BOI_METRICS_URL": f"http://127.0.0.1:{site_port + SERVICES['metrics']}",
        "BOI_CONSOLE_USERS": ",".join(filter(None, [os.environ.get("BOI_CONSOLE_USERS", ""), users_env])),
        # The site's subscription form posts to notify, whose emails link back to it; Mailpit receives them.
        "BOI_NOTIFY_PUBLIC_URL": notify_url,
        "BOI_SUBSCRIPTION_SECRET": _secret(cfg, "subscription-secret"),
        # The catalog signs console sessions; metrics and notify verify the same cookie for their pages.
        "BOI_SESSION_SECRET": _secret(cfg, "session-secret"),
        # …and ask the catalog about console users added with `boi console user add`.
        "BOI_CATALOG_URL": site,
    }
    running: list[RunningService] = []
    try:
        for name, offset in SERVICES.items():
            # Each service connects to Kafka as its own principal (boi_shared.kafka_auth.GRANTS).
            running.append(_start(name, site_port + offset, {**env, **cfg.service_env(name)}, log_dir))
        for svc in running:
            _wait_ready(svc)
        typer.echo(f"services ready; logs in {log_dir}")
        total = _wait_searchable(site)
        metrics = f"http://127.0.0.1:{site_port + SERVICES['metrics']}"
        typer.echo(
            f"{total} calls searchable {time.monotonic() - ready_at:.0f}s after the stack was "
            f"ready\n\n  BOI public site: {site}\n  API: {site}/api/calls?q=beca  "
            f"(OpenAPI: {site}/docs)\n  email inbox (Mailpit): {cfg.mailpit_url}  "
            f"(every email the site sends lands here)\n  admin token: {cfg.data_dir / 'admin-token'}\n\n"
            f"  Console: {site}/consola/entrar (passwords new on every run, shown only here)\n"
            f"{credentials_text(shown)}\n"
            f"  Reach dashboard (after signing in): {metrics}/consola/metricas\n"
            f"  Subscriptions (after signing in): {notify_url}/consola/suscripciones\n"
            f"  Partner webhooks (admins, after signing in): {notify_url}/consola/socios\n"
            f"  Public statistics: {metrics}/estadisticas  (open data: {metrics}/datos/impacto.csv)\n\n"
            "Ctrl-C stops everything."
        )
        stop_signals = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        signal.sigwait(stop_signals)
    except KeyboardInterrupt:
        pass
    finally:
        typer.echo("stopping…")
        for svc in running:
            if svc.proc.poll() is None:
                svc.proc.send_signal(signal.SIGTERM)
        for svc in running:
            try:
                svc.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                svc.proc.kill()
        stack.down()
        typer.echo("stopped.")
