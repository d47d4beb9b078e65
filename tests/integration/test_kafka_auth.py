"""Kafka lets in only who it knows, and each principal only where its grant says (`boi_shared.kafka_auth`),
on the session's real broker started by `boi stack`'s code: SASL/SCRAM-SHA-512, StandardAuthorizer, no
ACL means no access."""

import asyncio
import contextlib
import json
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from boi_devtools.stack import kafka_security
from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.local import LocalStack
from boi_devtools.stack.process import free_port
from boi_shared.kafka_auth import PARTNER, PRINCIPALS, KafkaConnection, login_problem
from boi_shared.topics import ALL_TOPICS, CALLS_ENRICHED, CALLS_PUBLISHED, CALLS_RAW
from tests.support.kafka import eventually
from tests.support.notify_mail import call_event, publish_call
from tests.support.services import ServiceProcess
from tests.support.stack import StackEndpoints

WRONG = "not-the-password-" + uuid.uuid4().hex
BOI = str(Path(sys.executable).with_name("boi"))
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "partners" / "consumer.py"


@pytest.fixture
def native(stack: StackEndpoints) -> StackEndpoints:
    if not stack.kafka_passwords:
        pytest.skip(f"the {stack.kind} broker has no authentication")
    return stack


async def _read(kafka: KafkaConnection, topic: str, group: str, marker: bytes, timeout: float = 60) -> bytes:
    consumer = AIOKafkaConsumer(
        topic,
        **kafka.client_options(),
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    try:
        await consumer.start()

        async def mine() -> bytes | None:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    if r.value and marker in r.value:
                        return r.value
            return None

        found: bytes = await eventually(mine, timeout=timeout, interval=0)
        return found
    finally:
        await consumer.stop()


async def _write(kafka: KafkaConnection, topic: str) -> None:
    producer = AIOKafkaProducer(**kafka.client_options(), request_timeout_ms=10_000)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b'{"hostile": true}', key=b"c-hostile")
    finally:
        await producer.stop()


async def test_partner_reads_published_calls(native: StackEndpoints) -> None:
    marker = uuid.uuid4().hex  # a valid event: the session's notify and metrics tests read this topic too
    await publish_call(native, call_event(f"Beca {marker}"))
    partner = native.kafka_connection(PARTNER)
    assert marker.encode() in await _read(partner, CALLS_PUBLISHED.name, f"partner-{marker}", marker.encode())


async def test_partner_is_denied_raw_calls_and_foreign_groups(native: StackEndpoints) -> None:
    partner = native.kafka_connection(PARTNER)
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(partner, CALLS_RAW.name, f"partner-{uuid.uuid4().hex}", b"x", timeout=20)
    with pytest.raises(GroupAuthorizationFailedError):  # its groups are partner-…, not a service's
        await _read(partner, CALLS_PUBLISHED.name, "notify", b"x", timeout=20)


@pytest.mark.parametrize("topic", [t.name for t in ALL_TOPICS])
async def test_partner_writes_nowhere(native: StackEndpoints, topic: str) -> None:
    with pytest.raises(TopicAuthorizationFailedError, match=topic.replace(".", r"\.")):
        await _write(native.kafka_connection(PARTNER), topic)


@pytest.mark.parametrize(
    ("principal", "topic"),
    [
        ("ingest", CALLS_ENRICHED.name),  # an uncurated call straight to the catalog
        ("ingest", CALLS_PUBLISHED.name),
        ("enrich", CALLS_PUBLISHED.name),  # past the curator, onto the public topic
        ("notify", CALLS_PUBLISHED.name),
        ("metrics", CALLS_RAW.name),
    ],
)
async def test_a_service_cannot_write_another_services_topic(
    native: StackEndpoints, principal: str, topic: str
) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(native.kafka_connection(principal), topic)


async def test_wrong_credentials_get_an_authentication_error_and_no_data(native: StackEndpoints) -> None:
    wrong = KafkaConnection(native.kafka_bootstrap, PARTNER, WRONG)
    consumer = AIOKafkaConsumer(CALLS_PUBLISHED.name, **wrong.client_options(), group_id="partner-wrong")
    with pytest.raises(KafkaConnectionError):
        await consumer.start()  # never joined, never fetched: no data
    await consumer.stop()
    problem = await login_problem(wrong)
    assert problem is not None and "refused the credentials as 'partner'" in problem
    assert WRONG not in problem
    unknown = KafkaConnection(native.kafka_bootstrap, "nobody", WRONG)
    assert "refused the credentials" in (await login_problem(unknown) or "")


async def test_an_unauthenticated_client_is_refused(native: StackEndpoints) -> None:
    anonymous = KafkaConnection(native.kafka_bootstrap)  # no SASL: the broker has no PLAINTEXT listener
    producer = AIOKafkaProducer(**anonymous.client_options(), request_timeout_ms=5000)

    async def start_and_send() -> None:  # the refusal may come at start or at the first send
        await producer.start()
        await producer.send_and_wait(CALLS_PUBLISHED.name, b"{}")

    with pytest.raises(KafkaError):
        await start_and_send()
    await producer.stop()
    assert "did not accept a connection without credentials" in (await login_problem(anonymous) or "")
    assert await login_problem(native.kafka) is None


def test_a_service_with_a_wrong_password_exits_with_a_clear_message(native: StackEndpoints) -> None:
    env = {**native.service_env("enrich"), "BOI_KAFKA_PASSWORD": WRONG}
    svc = ServiceProcess("enrich", env)
    with pytest.raises(RuntimeError, match="exited"):
        svc.start(timeout=90)
    log = svc.log_file.read_text()
    assert "enrich cannot start: Kafka at" in log
    assert "refused the credentials as 'enrich'" in log and "BOI_KAFKA_PASSWORD" in log
    assert WRONG not in log
    assert "Traceback" not in log, log[-3000:]


def test_credentials_are_kept_private_and_never_logged(native: StackEndpoints) -> None:
    if not native.data_dir:
        pytest.skip("not a native stack")
    data = Path(native.data_dir)
    kept = data / "kafka-credentials.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "run" / "kafka-server.properties").stat().st_mode) == 0o600
    assert set(native.kafka_passwords) == set(PRINCIPALS)
    assert len(set(native.kafka_passwords.values())) == len(PRINCIPALS)  # one random password each
    logs = "".join(p.read_text(errors="replace") for p in (data / "run").glob("*.log"))
    assert logs and not any(pw in logs for pw in native.kafka_passwords.values())


def _boi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOI_KAFKA_", "BOI_STACK_"))}
    return subprocess.run([BOI, *args], env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_boi_commands_use_the_local_stacks_credentials(native: StackEndpoints) -> None:
    """`boi dlq` with no BOI_KAFKA_* set, against the local stack: its admin password from the data dir."""
    if not native.data_dir:
        pytest.skip("not a native stack")
    port = native.kafka_bootstrap.rsplit(":", 1)[1]
    local = {"BOI_STACK_DATA_DIR": native.data_dir, "BOI_STACK_KAFKA_PORT": port}
    done = _boi(local, "dlq", "list", CALLS_RAW.name)
    assert done.returncode == 0, done.stderr
    assert f"on {CALLS_RAW.name}.dlq" in done.stdout
    assert not any(pw in done.stdout + done.stderr for pw in native.kafka_passwords.values())


def test_a_boi_command_with_a_wrong_password_says_so(native: StackEndpoints) -> None:
    env = {**native.service_env(), "BOI_KAFKA_PASSWORD": WRONG}
    done = _boi(env, "dlq", "list", CALLS_RAW.name)
    assert done.returncode == 1
    assert "error: Kafka at" in done.stderr and "refused the credentials as 'admin'" in done.stderr
    assert "Traceback" not in done.stderr and WRONG not in done.stderr


def test_the_partner_example_consumer_reads_published_calls(native: StackEndpoints, tmp_path: Path) -> None:
    """docs/partners/consumer.py as a partner runs it: its own process, the partner principal, aiokafka."""
    marker = f"Beca de ejemplo para socios {uuid.uuid4().hex}"
    asyncio.run(publish_call(native, call_event(marker)))
    out = tmp_path / "consumer.out"
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP": native.kafka_bootstrap,
        "KAFKA_USERNAME": PARTNER,
        "KAFKA_PASSWORD": native.kafka_passwords[PARTNER],
        "KAFKA_GROUP": f"partner-example-{uuid.uuid4().hex[:8]}",
    }
    with out.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, str(EXAMPLE)], env=env, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 90
    try:
        while marker not in out.read_text() and time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):  # polls, and stops early if it dies
                assert proc.wait(timeout=0.5) is None, out.read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    line = next((x for x in out.read_text().splitlines() if marker in x), out.read_text())
    assert line.split()[1:3] == ["1", "published"]


def test_a_kafka_data_dir_from_before_authentication_is_formatted_afresh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stack cached by an earlier version (no credentials, Kafka formatted without SCRAM users) starts:
    nobody could log in to add users to it, so its Kafka data is formatted again, with them."""
    cfg = StackConfig(data_dir=tmp_path, kafka_port=free_port(), kafka_controller_port=free_port())
    old = tmp_path / "kafka"
    old.mkdir()
    (old / "meta.properties").write_text("cluster.id=old-cluster\nnode.id=1\nversion=1\n")
    component = next(c for c in LocalStack(cfg).components() if c.name == "kafka")
    assert component.prepare is not None
    component.prepare()
    assert "predates authentication" in capsys.readouterr().err
    assert "old-cluster" not in (old / "meta.properties").read_text()
    assert set(json.loads((tmp_path / "kafka-credentials.json").read_text())) == set(PRINCIPALS)


def test_a_principal_added_later_gets_a_password_and_the_others_keep_theirs(tmp_path: Path) -> None:
    kept = tmp_path / "kafka-credentials.json"
    kept.write_text(json.dumps({"admin": "a" * 43, "ingest": "b" * 43}))
    kept.chmod(0o600)
    passwords = kafka_security.credentials(tmp_path)
    assert passwords["admin"] == "a" * 43 and passwords["ingest"] == "b" * 43
    assert set(passwords) == set(PRINCIPALS) and stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_a_service_command_with_a_wrong_password_says_so(native: StackEndpoints, tmp_path: Path) -> None:
    """`boi ingest run` logs in as ingest before it fetches anything: a refused login is named as such."""
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title></channel></rss>")
    env = {**native.service_env("ingest"), "BOI_KAFKA_PASSWORD": WRONG}
    done = _boi(env, "ingest", "run", str(feed))
    assert done.returncode == 2
    assert "refused the credentials as 'ingest'" in done.stderr and WRONG not in done.stderr
