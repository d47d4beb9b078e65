"""The production deployment files agree with the code: docker-compose.yml, the Dockerfiles and deploy/k8s
against each service's Settings, the topic contract and the versions of the local stack."""

import importlib
import importlib.util
import json
import os
import re
import secrets
import shlex
import tomllib
import typing
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo

from boi_devtools.stack.config import KAFKA_VERSION, MEILI_VERSION
from boi_shared.kafka_auth import ADMIN, GRANTS, PRINCIPALS
from boi_shared.settings import ServiceSettings
from boi_shared.topics import ALL_TOPICS, CALLS_ENRICHED, CALLS_PUBLISHED, CALLS_RAW, IMPRESSIONS

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
K8S = REPO / "deploy" / "k8s"
TOPICS_SCRIPT = REPO / "deploy" / "compose" / "create-topics.sh"

PORTS = {"catalog": 8000, "ingest": 8001, "enrich": 8002, "notify": 8003, "metrics": 8004}
SERVICES = list(PORTS)
CONSUMES = {"catalog": CALLS_ENRICHED, "enrich": CALLS_RAW, "notify": CALLS_PUBLISHED, "metrics": IMPRESSIONS}
CONNECTIONS = {"BOI_KAFKA_BOOTSTRAP_SERVERS", "BOI_MONGO_URL"}
# Settings with a default that an operator still sets per deployment: both files must pass them.
OPERATOR = {
    "catalog": {
        "BOI_MEILI_URL",
        "BOI_PUBLIC_BASE_URL",
        "BOI_TRUSTED_PROXIES",
        "BOI_API_RATE_PER_MINUTE",
        "BOI_API_RATE_BURST",
        "BOI_CONSUME_BATCH_SIZE",
        "BOI_INDEX_BATCH_SIZE",
        "BOI_INDEX_TASKS_IN_FLIGHT",
    },
    "ingest": {"BOI_INGEST_SOURCES", "BOI_INGEST_INTERVAL_SECONDS", "BOI_INGEST_NORMALIZE_WORKERS"},
    "enrich": {
        "BOI_ENRICH_PROVIDER",
        "BOI_ENRICH_FALLBACK",
        "BOI_OPENAI_MODEL",
        "BOI_OPENAI_BASE_URL",
        "BOI_OPENAI_API_VERSION",
        "BOI_OPENAI_DAILY_BUDGET_USD",
        "BOI_OPENAI_PRICE_INPUT_PER_1M",
        "BOI_OPENAI_PRICE_OUTPUT_PER_1M",
        "BOI_OPENAI_MAX_CONCURRENCY",
    },
    "notify": {"BOI_WEBHOOK_URLS", "BOI_TRUSTED_PROXIES", "BOI_API_RATE_PER_MINUTE", "BOI_API_RATE_BURST"},
}
REQUIRED = {svc: CONNECTIONS | OPERATOR.get(svc, set()) for svc in SERVICES}
# Values that must never be written in a deployment file (BOI_MONGO_URL carries credentials); every
# `SecretStr` field of a Settings class counts too (see `is_secret`). Suffixes, so that tuning such as
# BOI_OPENAI_TOKENS_PER_MINUTE or BOI_SEARCH_TOKEN_TTL_SECONDS is not taken for a secret.
SECRET_NAME = re.compile(r"(SECRET|PASSWORD|TOKEN|_KEY)$|^BOI_MONGO_URL$")
REQUIRED_VAR = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*:\?[^}]*\}$")
# An optional secret (console users, an OpenAI key): from .env when set there, else empty; never a literal.
OPTIONAL_VAR = re.compile(r"^\$\{[A-Z_][A-Z0-9_]*:?-\}$")
# Read only when their BOI_ twin is empty (enrich's Settings): wiring the twin is what an operator needs.
FALLBACK_OF = {"OPENAI_API_KEY": "BOI_OPENAI_API_KEY", "OPENAI_BASE_URL": "BOI_OPENAI_BASE_URL"}
EXPECTED_TOPICS = {t.name: t.partitions for t in ALL_TOPICS}


# --- helpers ------------------------------------------------------------------------------------------


def settings_module_exists(svc: str) -> bool:
    try:
        return importlib.util.find_spec(f"boi_{svc}.settings") is not None
    except ModuleNotFoundError:
        return False


def settings_class(svc: str) -> Any:
    if not settings_module_exists(svc):
        pytest.skip(f"boi_{svc}.settings is not written yet")
    return importlib.import_module(f"boi_{svc}.settings").Settings


def field_env_name(cls: Any, name: str, field: FieldInfo) -> str:
    """The variable pydantic-settings reads a field from: its alias if it has one, else prefix + name."""
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    return f"{cls.model_config.get('env_prefix', '')}{name}".upper()


def is_secret_field(field: FieldInfo) -> bool:
    return SecretStr in (field.annotation, *typing.get_args(field.annotation))


def settings_env_names(svc: str) -> set[str]:
    cls = settings_class(svc)
    prefix = cls.model_config.get("env_prefix", "")
    assert prefix == "BOI_", f"boi_{svc}.settings.Settings reads {prefix!r}, not BOI_*"
    return {field_env_name(cls, name, field) for name, field in cls.model_fields.items()}


def must_be_wired(cls: Any) -> set[str]:
    """Variables every deployment file must pass: each field without a default (the service cannot start
    without it) and each secret (an operator must be able to give it without editing the file)."""
    return {
        FALLBACK_OF.get(env, env)
        for name, field in cls.model_fields.items()
        if field.is_required() or is_secret_field(field)
        for env in [field_env_name(cls, name, field)]
    }


@cache
def secret_setting_names() -> frozenset[str]:
    names: set[str] = set()
    for svc in SERVICES:
        if settings_module_exists(svc):
            cls = importlib.import_module(f"boi_{svc}.settings").Settings
            names |= {field_env_name(cls, n, f) for n, f in cls.model_fields.items() if is_secret_field(f)}
    return frozenset(names)


def is_secret(var: str) -> bool:
    return bool(SECRET_NAME.search(var)) or var in secret_setting_names()


def build_settings(svc: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Instantiate the service's Settings from exactly `env`, as the container would."""
    cls = settings_class(svc)
    for name in [n for n in os.environ if n.upper().startswith("BOI_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls()


PLACEHOLDER = re.compile(r"CHANGE_ME\w*")


def filled(env: dict[str, str]) -> dict[str, str]:
    """`env` after an operator's step: every CHANGE_ME placeholder replaced by a random value."""
    return {k: PLACEHOLDER.sub(lambda _: secrets.token_hex(16), v) for k, v in env.items()}


@cache
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def compose_service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service: dict[str, Any] = services[name]
    return service


def compose_env(name: str) -> dict[str, str]:
    env = compose_service(name).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


@cache
def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable interpolation: `${V}`, `${V:-default}`, `${V-default}`, `${V:?err}`, `$$`."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group(1) or m.group(4), m.group(2), m.group(3)
        value = env.get(name)
        if op == ":-":
            return value or arg
        if op == "-":
            return arg if value is None else value
        if op in (":?", "?") and (value is None or (op == ":?" and not value)):
            raise AssertionError(f"compose would stop: {name} is required ({arg})")
        return value or ""

    return _VAR.sub(sub, text)


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in strings(key) + strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def compose_variables() -> set[str]:
    return {
        m.group(1) or m.group(4)
        for text in strings(compose())
        for m in _VAR.finditer(text)
        if m.group(0) != "$$"
    }


_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:]+:(?P<password>.+)@[^@/]+(/.*)?$")


def url_password(value: str) -> str | None:
    """The password in `scheme://user:password@host/…`, read before interpolation (it may hold `${…}`)."""
    m = _USERINFO.match(value)
    return m.group("password") if m else None


@cache
def dockerfile(svc: str) -> list[tuple[str, str]]:
    """Instructions of services/<svc>/Dockerfile as (INSTRUCTION, arguments), continuations joined."""
    path = REPO / "services" / svc / "Dockerfile"
    if not path.is_file():
        if not settings_module_exists(svc):
            pytest.skip(f"boi-{svc} is not written yet")
        pytest.fail(f"boi-{svc} has code but no {path.relative_to(REPO)}")
    instructions, pending = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        op, _, args = (pending + line).strip().partition(" ")
        instructions.append((op.upper(), args.strip()))
        pending = ""
    return instructions


def final_stage(svc: str) -> list[tuple[str, str]]:
    instructions = dockerfile(svc)
    start = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[start:]


def exec_form(args: str) -> list[str]:
    args = re.sub(r"^(--\S+\s+)+", "", args)  # HEALTHCHECK options
    if args.startswith("CMD "):
        args = args[4:].strip()
    if args.startswith("["):
        parsed: list[str] = json.loads(args)
        return parsed
    return shlex.split(args)


def topics_in_script(script: str) -> dict[str, int]:
    """The `create_topic NAME PARTITIONS` calls of create-topics.sh."""
    found: dict[str, int] = {}
    for name, partitions in re.findall(r"^create_topic\s+(\S+)\s+(\d+)\s*$", script, re.M):
        assert name not in found, f"topic {name} is created twice"
        found[name] = int(partitions)
    assert "--create --if-not-exists" in script and "kafka-topics.sh" in script
    return found


@cache
def k8s_docs() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(set(K8S.glob("*.yaml")) - {K8S / "kustomization.yaml"}):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc:
                docs.append({**doc, "_file": path.name})
    return docs


def k8s(kind: str, name: str) -> dict[str, Any]:
    found = [
        d
        for d in k8s_docs()
        if d["kind"] == kind and d["metadata"]["name"] == name and not d["_file"].endswith(".example.yaml")
    ]
    assert len(found) == 1, f"expected one {kind} {name!r} in deploy/k8s, found {len(found)}"
    return found[0]


def k8s_example(kind: str, name: str) -> dict[str, Any]:
    found = [
        d
        for d in k8s_docs()
        if d["kind"] == kind and d["metadata"]["name"] == name and d["_file"].endswith(".example.yaml")
    ]
    assert len(found) == 1, f"expected one {kind} {name!r} in a deploy/k8s/*.example.yaml"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    c: dict[str, Any] = containers[0]
    return c


def resolve_port(c: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(int(p["containerPort"]) for p in c["ports"] if p.get("name") == port)


def k8s_env(c: dict[str, Any]) -> dict[str, str]:
    """The container's env with every reference resolved against boi-config and the example secret."""
    config = k8s("ConfigMap", "boi-config")["data"]
    secret = k8s_example("Secret", "boi-secrets")["stringData"]
    env = {}
    for item in c.get("env", []):
        name, ref = item["name"], item.get("valueFrom", {})
        if "configMapKeyRef" in ref:
            assert not is_secret(name), f"{name} is a secret: take it from boi-secrets, not boi-config"
            assert ref["configMapKeyRef"]["name"] == "boi-config", name
            assert ref["configMapKeyRef"]["key"] in config, f"{name}: no such key in boi-config"
            env[name] = str(config[ref["configMapKeyRef"]["key"]])
        elif "secretKeyRef" in ref:
            assert ref["secretKeyRef"]["name"] == "boi-secrets", name
            assert ref["secretKeyRef"]["key"] in secret, f"{name}: no such key in boi-secrets"
            env[name] = str(secret[ref["secretKeyRef"]["key"]])
        else:
            assert not is_secret(name), f"{name} is a secret: take it from boi-secrets"
            env[name] = str(item.get("value", ""))
    return env


def assert_hardened(pod: dict[str, Any], c: dict[str, Any]) -> None:
    pod_sc, sc = pod.get("securityContext", {}), c.get("securityContext", {})
    assert sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True
    assert sc.get("runAsUser", pod_sc.get("runAsUser", 1)) != 0
    assert sc.get("readOnlyRootFilesystem") is True
    assert sc.get("allowPrivilegeEscalation") is False
    tmp = next((m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"), None)
    assert tmp, "a read-only root filesystem needs a writable /tmp"
    volume = next(v for v in pod["volumes"] if v["name"] == tmp["name"])
    assert "emptyDir" in volume
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c.get("resources", {}).get(kind, {})), f"resources.{kind}"


# --- docker-compose.yml -------------------------------------------------------------------------------


def test_compose_runs_the_five_services_and_the_engines() -> None:
    assert {*SERVICES, "kafka", "kafka-init", "mongodb", "meilisearch"} <= set(compose()["services"])


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_builds_each_service_from_its_dockerfile(svc: str) -> None:
    build = compose_service(svc)["build"]
    assert build["context"] == ".", "the Dockerfiles copy uv.lock and shared/ from the repository root"
    assert build["dockerfile"] == f"services/{svc}/Dockerfile"
    dockerfile(svc)  # skips a service not written yet, fails a written one without a Dockerfile
    assert compose_service(svc)["restart"] == "unless-stopped"


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_env_vars_are_settings_fields(svc: str) -> None:
    env = compose_env(svc)
    unknown = {k for k in env if k.startswith("BOI_")} - settings_env_names(svc)
    assert not unknown, f"{svc} has no Settings field for {sorted(unknown)}"
    assert REQUIRED[svc] <= set(env), f"{svc} misses {sorted(REQUIRED[svc] - set(env))}"


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_env_builds_valid_settings(svc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: interpolate(v, filled(env_example())) for k, v in compose_env(svc).items()}
    settings = build_settings(svc, env, monkeypatch)
    assert settings.kafka_bootstrap_servers == env["BOI_KAFKA_BOOTSTRAP_SERVERS"]


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_connections_point_at_healthy_engines(svc: str) -> None:
    env = {k: interpolate(v, env_example()) for k, v in compose_env(svc).items()}
    depends = compose_service(svc)["depends_on"]
    targets = {
        "BOI_KAFKA_BOOTSTRAP_SERVERS": "kafka",
        "BOI_MONGO_URL": "mongodb",
        "BOI_MEILI_URL": "meilisearch",
    }
    for var, engine in targets.items():
        if var not in env:
            continue
        value = env[var] if "://" in env[var] else f"tcp://{env[var]}"
        hosts = {h.rsplit(":", 1)[0] for h in urlsplit(value).netloc.rsplit("@", 1)[-1].split(",")}
        assert hosts == {engine}, f"{svc}: {var} points at {hosts}, not the {engine} service"
        assert depends[engine]["condition"] == "service_healthy", f"{svc} must wait for {engine}"
    assert depends["kafka-init"]["condition"] == "service_completed_successfully"
    advertised = compose_env("kafka")["KAFKA_ADVERTISED_LISTENERS"]
    assert f"//{env['BOI_KAFKA_BOOTSTRAP_SERVERS']}" in advertised


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_ports_match_the_dockerfile(svc: str) -> None:
    port = PORTS[svc]
    stage = final_stage(svc)
    exposed = {int(p.split("/")[0]) for op, args in stage if op == "EXPOSE" for p in args.split()}
    assert exposed == {port}, f"services/{svc}/Dockerfile exposes {exposed}, expected {port}"
    cmd = exec_form([args for op, args in stage if op == "CMD"][-1])
    assert cmd[cmd.index("--port") + 1] == str(port)
    assert f"boi_{svc}.app:create_app" in cmd and "--factory" in cmd
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"
    # Issue 14: no access log (client addresses are personal data); X-Forwarded-For is read by the
    # services from BOI_TRUSTED_PROXIES only, never by uvicorn.
    assert "--no-access-log" in cmd and "--no-proxy-headers" in cmd
    assert "command" not in compose_service(svc) and "entrypoint" not in compose_service(svc)
    k8s_container = container(k8s("Deployment", svc))
    assert "command" not in k8s_container and "args" not in k8s_container, "the image's CMD must apply"
    health = " ".join(compose_service(svc)["healthcheck"]["test"])
    assert f":{port}/healthz" in health
    published = compose_service(svc).get("ports", [])
    if svc in ("catalog", "notify"):  # the public site; notify's public /suscripcion pages
        assert [str(p).rsplit(":", 1)[-1] for p in published] == [str(port)]
    else:
        assert not published, f"{svc} is internal: only catalog and notify publish a port"


@pytest.mark.parametrize("svc", SERVICES)
def test_dockerfile_is_multistage_slim_and_non_root(svc: str) -> None:
    instructions = dockerfile(svc)
    bases = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert len(bases) >= 2, "multi-stage: build tools stay out of the runtime image"
    assert bases[-1] == "python:3.11-slim"
    users = [args for op, args in final_stage(svc) if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the runtime stage runs as non-root"
    health = [args for op, args in final_stage(svc) if op == "HEALTHCHECK"]
    assert health and f":{PORTS[svc]}/healthz" in health[-1]
    for op, args in instructions:
        if op == "COPY" and "--from" not in args:
            *sources, _ = exec_form(args) if args.startswith("[") else shlex.split(args)
            for src in (s for s in sources if not s.startswith("--") and "*" not in s):
                assert (REPO / src).exists(), f"COPY {src}: not in the build context"


@pytest.mark.parametrize("svc", SERVICES)
def test_locked_uv_sync_sees_every_workspace_member(svc: str) -> None:
    """`uv sync --locked` checks the lock against every member's pyproject.toml: all must be copied."""
    instructions = dockerfile(svc)
    if not any(op == "RUN" and "uv sync" in args and "--locked" in args for op, args in instructions):
        pytest.skip(f"services/{svc}/Dockerfile does not use `uv sync --locked`")
    copied = {s for op, args in instructions if op == "COPY" for s in shlex.split(args)}
    root = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    members = [
        p.relative_to(REPO)
        for glob in root["tool"]["uv"]["workspace"]["members"]
        for p in REPO.glob(glob)
        if (p / "pyproject.toml").is_file()
    ]
    assert len(members) >= 3
    for member in members:
        assert {f"{member}/pyproject.toml", f"{member}/", str(member)} & copied, f"{member} not copied"


def test_kafka_is_kraft_without_topic_auto_creation() -> None:
    kafka = compose_service("kafka")
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    env = compose_env("kafka")
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@kafka:")
    assert "healthcheck" in kafka


def test_kafka_init_creates_exactly_the_contract_topics() -> None:
    init = compose_service("kafka-init")
    assert init["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    mounts = {v.split(":")[1]: v.split(":")[0] for v in init["volumes"]}
    script_in_container = init["entrypoint"][-1]
    assert (REPO / mounts[script_in_container]).resolve() == TOPICS_SCRIPT
    assert topics_in_script(TOPICS_SCRIPT.read_text(encoding="utf-8")) == EXPECTED_TOPICS
    assert (
        compose_env("kafka-init")["BOI_KAFKA_BOOTSTRAP_SERVERS"]
        == compose_env("catalog")["BOI_KAFKA_BOOTSTRAP_SERVERS"]
    )


def test_engines_match_the_local_stack_and_are_healthchecked() -> None:
    assert compose_service("meilisearch")["image"] == f"getmeili/meilisearch:v{MEILI_VERSION}"
    assert compose_env("meilisearch")["MEILI_ENV"] == "production"
    assert re.fullmatch(r"mongo:[78]\.\d+", compose_service("mongodb")["image"])
    for engine in ("kafka", "mongodb", "meilisearch"):
        assert "healthcheck" in compose_service(engine), engine
        assert compose_service(engine).get("volumes"), f"{engine} keeps its data in a volume"


def test_compose_has_no_literal_secrets() -> None:
    for name in compose()["services"]:
        for var, value in compose_env(name).items():
            if is_secret(var) and var != "BOI_MONGO_URL":
                assert REQUIRED_VAR.match(value) or OPTIONAL_VAR.match(value), (
                    f"{name}.{var} must be ${{VAR:?…}} (required) or ${{VAR:-}} (optional) from .env"
                )
            password = url_password(value)
            if password is not None:
                assert REQUIRED_VAR.match(password), f"{name}.{var} has a literal password"


def test_env_example_documents_every_compose_variable() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    missing = {v for v in compose_variables() if not re.search(rf"^#?\s*{v}=", text, re.M)}
    assert not missing, f".env.example does not mention {sorted(missing)}"
    for var, value in env_example().items():
        if is_secret(var):
            assert value == "CHANGE_ME", f".env.example must hold a placeholder for {var}"
    for var, value in re.findall(r"^#\s*([A-Z_][A-Z0-9_]*)=(.*)$", text, re.M):
        if is_secret(var):
            assert not value.strip(), f".env.example: the optional secret {var} must be left empty"


@pytest.mark.parametrize("svc", SERVICES)
def test_compose_wires_every_required_or_secret_setting(svc: str) -> None:
    missing = must_be_wired(settings_class(svc)) - set(compose_env(svc))
    assert not missing, f"docker-compose.yml gives {svc} no way to set {sorted(missing)}"


def test_wiring_check_catches_a_required_field_and_a_secret() -> None:
    """The checks are not vacuous: a field without a default and a secret must be wired, tuning need not."""

    class Probe(ServiceSettings):
        needed: str
        api_token: SecretStr = SecretStr("")
        maybe_token: SecretStr | None = None
        key_fallback: SecretStr = Field(default=SecretStr(""), validation_alias="OPENAI_API_KEY")
        tuning: int = 1

    assert must_be_wired(Probe) == {
        "BOI_MONGO_URL",
        "BOI_KAFKA_PASSWORD",
        "BOI_NEEDED",
        "BOI_API_TOKEN",
        "BOI_MAYBE_TOKEN",
        "BOI_OPENAI_API_KEY",
    }
    assert {"BOI_CONSOLE_USERS", "BOI_SESSION_SECRET", "BOI_OPENAI_API_KEY"} <= secret_setting_names()


# --- deploy/k8s ---------------------------------------------------------------------------------------


def test_kustomization_lists_every_manifest_but_the_examples() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    examples = {m for m in manifests if m.endswith(".example.yaml")}
    assert examples, "the Secret's shape is documented in a *.example.yaml"
    assert sorted(kustomization["resources"]) == sorted(manifests - examples)
    assert kustomization["namespace"] == "boi"
    for doc in k8s_docs():
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "boi", f"{doc['_file']}: {doc['kind']}"
    assert not [
        d for d in k8s_docs() if d["kind"] == "Secret" and not d["_file"].endswith(".example.yaml")
    ], "real secrets never live in the repository"


def test_k8s_secret_example_holds_only_placeholders() -> None:
    for var, value in k8s_example("Secret", "boi-secrets")["stringData"].items():
        assert "CHANGE_ME" in value, f"{var} in the example secret must be a placeholder"


@pytest.mark.parametrize("svc", SERVICES)
def test_k8s_deployment_and_service(svc: str) -> None:
    deployment, service = k8s("Deployment", svc), k8s("Service", svc)
    pod = deployment["spec"]["template"]["spec"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    c = container(deployment)
    assert c["image"].split(":")[0].rsplit("/", 1)[-1] == f"boi-{svc}"
    assert [int(p["containerPort"]) for p in c["ports"]] == [PORTS[svc]]
    assert [resolve_port(c, p["targetPort"]) for p in service["spec"]["ports"]] == [PORTS[svc]]
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        http = c[probe]["httpGet"]
        assert http["path"] == path and resolve_port(c, http["port"]) == PORTS[svc], probe
    assert_hardened(pod, c)


@pytest.mark.parametrize("svc", SERVICES)
def test_k8s_env_vars_are_settings_fields_and_resolve(svc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = k8s_env(container(k8s("Deployment", svc)))
    unknown = {k for k in env if k.startswith("BOI_")} - settings_env_names(svc)
    assert not unknown, f"{svc} has no Settings field for {sorted(unknown)}"
    assert REQUIRED[svc] <= set(env), f"{svc} misses {sorted(REQUIRED[svc] - set(env))}"
    build_settings(svc, filled(env), monkeypatch)


@pytest.mark.parametrize("svc", SERVICES)
def test_the_examples_placeholders_are_refused_at_start_up(svc: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: with the k8s example's BOI_SESSION_SECRET (CHANGE_ME) anyone could sign an admin cookie.
    A service given an example's placeholder must refuse to start, naming the variable."""
    k8s_vars = k8s_env(container(k8s("Deployment", svc)))
    compose_vars = {k: interpolate(v, env_example()) for k, v in compose_env(svc).items()}
    for env in (k8s_vars, compose_vars):
        placeholders = {k for k, v in env.items() if "CHANGE_ME" in v}
        if not placeholders:
            continue
        with pytest.raises(ValidationError) as refused:
            build_settings(svc, env, monkeypatch)
        assert "is refused" in str(refused.value) and "CHANGE_ME" not in str(refused.value)


@pytest.mark.parametrize("svc", SERVICES)
def test_k8s_wires_every_required_or_secret_setting(svc: str) -> None:
    items = container(k8s("Deployment", svc)).get("env", [])
    env = {item["name"]: item.get("valueFrom", {}) for item in items}
    wanted = must_be_wired(settings_class(svc))
    missing = wanted - set(env)
    assert not missing, f"deploy/k8s/{svc}.yaml gives {svc} no way to set {sorted(missing)}"
    for var in sorted(v for v in wanted if is_secret(v)):
        assert "secretKeyRef" in env[var], f"{svc}: {var} must come from boi-secrets"


@pytest.mark.parametrize("svc", sorted(CONSUMES))
def test_k8s_consumer_replicas_fit_the_partitions(svc: str) -> None:
    replicas = k8s("Deployment", svc)["spec"]["replicas"]
    assert 2 <= replicas <= CONSUMES[svc].partitions, f"{svc}: {replicas} replicas"


def test_k8s_topics_job_creates_exactly_the_contract_topics() -> None:
    job = k8s("Job", "boi-topics")
    pod = job["spec"]["template"]["spec"]
    c = container(job)
    assert c["image"] == f"apache/kafka:{KAFKA_VERSION}"
    script_path = c["command"][-1]
    mount = next(m for m in c["volumeMounts"] if script_path.startswith(m["mountPath"] + "/"))
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    script = k8s("ConfigMap", volume["configMap"]["name"])["data"][script_path.rsplit("/", 1)[-1]]
    assert script == TOPICS_SCRIPT.read_text(encoding="utf-8"), "drifted from create-topics.sh"
    assert topics_in_script(script) == EXPECTED_TOPICS
    assert "BOI_KAFKA_BOOTSTRAP_SERVERS" in k8s_env(c)
    assert_hardened(pod, c)


# --- Kafka authentication and ACLs (boi_shared.kafka_auth) --------------------------------------------


def grants_in_script(text: str) -> set[tuple[str, str, str, str, bool]]:
    found = set()
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["grant"]:
            found.add((words[1], words[2], words[3], words[4], words[5:] == ["prefixed"]))
    return found


def test_the_init_script_creates_exactly_the_grants_acls() -> None:
    expected = {
        (g.principal, e.operation, e.resource, e.name, e.prefixed) for g in GRANTS for e in g.acl_entries()
    }
    text = TOPICS_SCRIPT.read_text(encoding="utf-8")
    assert grants_in_script(text) == expected
    users = set(re.findall(r"^scram_user (\S+) KAFKA_(\S+)_PASSWORD$", text, re.M))
    assert users == {(p, p.upper()) for p in PRINCIPALS if p != ADMIN}


def test_compose_kafka_has_only_sasl_listeners_and_denies_by_default() -> None:
    env = compose_env("kafka")
    assert "PLAINTEXT:" not in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].replace("SASL_PLAINTEXT", "")
    assert env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] == "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    assert env["KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert env["KAFKA_SUPER_USERS"] == f"User:{ADMIN}"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"].endswith(".StandardAuthorizer")
    assert compose_env("kafka-init")["BOI_KAFKA_USERNAME"] == ADMIN


@pytest.mark.parametrize("svc", SERVICES)
def test_each_service_logs_in_to_kafka_as_itself(svc: str) -> None:
    assert compose_env(svc)["BOI_KAFKA_USERNAME"] == svc
    assert compose_env(svc)["BOI_KAFKA_PASSWORD"].startswith(f"${{KAFKA_{svc.upper()}_PASSWORD:?")
    env = {i["name"]: i for i in container(k8s("Deployment", svc))["env"]}
    assert env["BOI_KAFKA_USERNAME"]["value"] == svc
    assert env["BOI_KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"] == f"KAFKA_{svc.upper()}_PASSWORD"
