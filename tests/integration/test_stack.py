"""The stack the tests run on is the real thing: Kafka's JVM, FerretDB, the Meilisearch binary, Mailpit."""

import smtplib
import subprocess
import uuid

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import MongoClient

from boi_shared.topics import ALL_TOPICS
from tests.support.kafka import kafka_options
from tests.support.stack import StackEndpoints


def _listener(port: int) -> str:
    out = subprocess.run(
        ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False
    ).stdout
    return out


def test_native_processes_listen_on_the_stack_ports(stack: StackEndpoints) -> None:
    if stack.kind != "native":
        pytest.skip(f"stack provided by {stack.kind}")
    kafka_port = int(stack.kafka_bootstrap.rsplit(":", 1)[1])
    mongo_port = int(stack.mongo_url.rstrip("/").rsplit(":", 1)[1])
    meili_port = int(stack.meili_url.rsplit(":", 1)[1])
    assert '"java"' in _listener(kafka_port)
    assert '"ferretdb"' in _listener(mongo_port)
    assert '"meilisearch"' in _listener(meili_port)
    for port in (stack.smtp_port, int(stack.mailpit_url.rsplit(":", 1)[1])):
        listening = _listener(port)
        assert '"mailpit"' in listening and "127.0.0.1:" in listening  # loopback only, not every interface


def test_mailpit_accepts_mail_and_lists_it(stack: StackEndpoints) -> None:
    marker = f"boi-stack-{uuid.uuid4().hex}"
    with smtplib.SMTP(stack.smtp_host, stack.smtp_port, timeout=10) as smtp:
        smtp.sendmail("boi@localhost", [f"{marker}@example.org"], f"Subject: {marker}\r\n\r\nhola".encode())
    found = httpx.get(f"{stack.mailpit_url}/api/v1/search", params={"query": marker}, timeout=10).json()
    assert [m["Subject"] for m in found["messages"]] == [marker]
    if stack.kind == "native":
        assert httpx.get(f"{stack.mailpit_url}/api/v1/info", timeout=10).json()["Version"] == "v1.33.1"


def test_mongodb_endpoint_is_ferretdb_or_mongodb(stack: StackEndpoints) -> None:
    with MongoClient(stack.mongo_url) as client:
        info = client.admin.command("buildInfo")
    if stack.kind == "native":
        assert info["ferretdbVersion"] == "v1.24.2", info


def test_meilisearch_version_is_pinned(stack: StackEndpoints) -> None:
    r = httpx.get(f"{stack.meili_url}/version", headers={"Authorization": f"Bearer {stack.meili_master_key}"})
    assert r.status_code == 200
    assert r.json()["pkgVersion"] == "1.21.0"
    assert httpx.get(f"{stack.meili_url}/version").status_code == 401  # the master key is enforced


async def test_topics_exist_with_declared_partitions(stack: StackEndpoints) -> None:
    admin = AIOKafkaAdminClient(**kafka_options(stack.kafka_bootstrap))
    await admin.start()
    try:
        described = await admin.describe_topics([t.name for t in ALL_TOPICS])
        cluster = await admin.describe_cluster()
    finally:
        await admin.close()
    assert {d["topic"]: len(d["partitions"]) for d in described} == {t.name: t.partitions for t in ALL_TOPICS}
    assert cluster["controller_id"] == 1 or stack.kind != "native"
