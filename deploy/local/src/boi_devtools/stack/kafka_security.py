"""The local Kafka's authentication and ACLs: a random password per principal, SASL listeners, SCRAM users
and the ACLs of `boi_shared.kafka_auth.GRANTS`.

Passwords are generated when the stack's data directory is created, kept in `kafka-credentials.json`
there (mode 0600) and never printed or logged. Listeners: clients (SASL_PLAINTEXT, SCRAM-SHA-512 only) and
the controller's (SASL_PLAINTEXT, PLAIN with the admin's password in the 0600 properties file: KRaft
controllers cannot use SCRAM, whose users live in the metadata they serve). No PLAINTEXT listener.
SCRAM users are written by `kafka-storage format --add-scram` before the first start; a principal added
later is upserted after start. ACLs are created on every start (creating an existing one is a no-op).
"""

import json
import os
import secrets
from concurrent.futures import Future
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # re-exported without __all__
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialAlteration,
    UserScramCredentialUpsertion,
)

from boi_devtools.stack.process import StackError
from boi_shared.kafka_auth import ADMIN, GRANTS, PRINCIPALS, SCRAM_MECHANISM, AclEntry, KafkaConnection

CREDENTIALS_FILE = "kafka-credentials.json"
SCRAM_ITERATIONS = 8192


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only, from the first byte on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    tmp.replace(path)


def credentials(data_dir: Path, *, create: bool = True) -> dict[str, str]:
    """Password of every principal of `PRINCIPALS`: those kept in the data directory, and new random ones
    for principals missing there (all of them on a new stack). Empty when none exist and not `create`."""
    path = data_dir / CREDENTIALS_FILE
    kept: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if not kept and not create:
        return {}
    missing = [p for p in PRINCIPALS if p not in kept]
    if missing:
        kept |= {p: secrets.token_urlsafe(32) for p in missing}
        write_private(path, json.dumps(kept, indent=2))
    return kept


def listener_properties(host: str, port: int, controller_port: int, admin_password: str) -> list[str]:
    """server.properties lines: SASL listeners, the authorizer and the admin as the only super user."""
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    pw = admin_password
    return [
        f"listeners=CLIENT://{host}:{port},CONTROLLER://{host}:{controller_port}",
        f"advertised.listeners=CLIENT://{host}:{port}",
        "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
        "inter.broker.listener.name=CLIENT",
        "controller.listener.names=CONTROLLER",
        f"sasl.mechanism.inter.broker.protocol={SCRAM_MECHANISM}",
        "sasl.mechanism.controller.protocol=PLAIN",
        f"listener.name.client.sasl.enabled.mechanisms={SCRAM_MECHANISM}",
        f'listener.name.client.scram-sha-512.sasl.jaas.config={scram} required username="{ADMIN}" '
        f'password="{pw}";',
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        f'listener.name.controller.plain.sasl.jaas.config={plain} required username="{ADMIN}" '
        f'password="{pw}" user_{ADMIN}="{pw}";',
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        f"super.users=User:{ADMIN}",
    ]


def format_arguments(passwords: dict[str, str]) -> list[str]:
    """`kafka-storage format` arguments that create every principal's SCRAM user with the metadata."""
    args: list[str] = []
    for principal, password in passwords.items():
        args += ["--add-scram", f"{SCRAM_MECHANISM}=[name={principal},password={password}]"]
    return args


def _admin_client(connection: KafkaConnection) -> AdminClient:
    return AdminClient(
        {
            "bootstrap.servers": connection.bootstrap,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": SCRAM_MECHANISM,
            "sasl.username": connection.username,
            "sasl.password": connection.password,
            "client.id": "boi-stack",
            "log_level": 3,
        }
    )


def _binding(principal: str, entry: AclEntry) -> AclBinding:
    return AclBinding(
        ResourceType.TOPIC if entry.resource == "topic" else ResourceType.GROUP,
        entry.name,
        ResourcePatternType.PREFIXED if entry.prefixed else ResourcePatternType.LITERAL,
        f"User:{principal}",
        "*",
        AclOperation.READ if entry.operation == "READ" else AclOperation.WRITE,
        AclPermissionType.ALLOW,
    )


def acl_bindings() -> dict[str, AclBinding]:
    """Every ACL of `GRANTS`, by a description for error messages."""
    bindings: dict[str, AclBinding] = {}
    for grant in GRANTS:
        for e in grant.acl_entries():
            what = f"{grant.principal} {e.operation} {e.resource} {e.name}{'*' if e.prefixed else ''}"
            bindings[what] = _binding(grant.principal, e)
    return bindings


def apply_users_and_acls(admin: KafkaConnection, passwords: dict[str, str], timeout: float = 30.0) -> None:
    """Upsert the SCRAM users Kafka lacks (principals added after the stack was created), then create
    every ACL of `GRANTS`. Raises StackError naming what failed (never a password)."""
    client = _admin_client(admin)
    described = client.describe_user_scram_credentials()
    try:
        known = set(described.result(timeout=timeout)) if isinstance(described, Future) else set()
    except KafkaException:
        known = set()  # none described: upsert them all
    missing = [p for p in passwords if p not in known]
    if missing:
        info = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS)
        upserts: list[UserScramCredentialAlteration] = [
            UserScramCredentialUpsertion(p, info, passwords[p].encode()) for p in missing
        ]
        for user, future in client.alter_user_scram_credentials(upserts).items():
            _wait(future, timeout, f"creating the SCRAM user {user}")
    bindings = acl_bindings()
    futures = client.create_acls(list(bindings.values()), request_timeout=timeout)
    for what, binding in bindings.items():
        _wait(futures[binding], timeout, f"creating the ACL {what}")


def _wait(future: "Future[object]", timeout: float, what: str) -> None:
    try:
        future.result(timeout=timeout)
    except KafkaException as exc:
        raise StackError(f"kafka: {what} failed: {exc.args[0].str()}") from None
