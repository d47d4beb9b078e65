"""The local stack's Apache Kafka: one KRaft node (broker + controller) on the machine's JDK, with SASL
listeners and ACLs only (`kafka_security`)."""

import base64
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from boi_devtools.stack import install, kafka_security
from boi_devtools.stack.config import StackConfig
from boi_devtools.stack.process import Component, StackError, port_open
from boi_shared.kafka_auth import ADMIN

FORMAT_MARKER = "meta.properties"


def kafka_component(cfg: StackConfig, run_dir: Path) -> Component:
    data = cfg.data_dir / "kafka"
    props = run_dir / "kafka-server.properties"
    libs = install.kafka_libs(cfg)
    java_argv = [
        "java",
        f"-Xmx{cfg.kafka_heap}",
        "-Xms128m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        "-cp",
        f"{libs}/*",
    ]

    def prepare() -> None:
        formatted = (data / FORMAT_MARKER).exists()
        if formatted and not cfg.kafka_passwords(create=False):
            # Formatted by a version of the stack without authentication: no SCRAM user can be added to it
            # (nobody can authenticate to add one), so its local events are dropped and it starts afresh.
            print(
                f"kafka: {data} predates authentication; formatting it afresh (its local events are dropped)",
                file=sys.stderr,
            )
            shutil.rmtree(data)
            formatted = False
        passwords = cfg.kafka_passwords()
        kafka_security.write_private(props, kafka_properties(cfg, data, passwords[ADMIN]))
        if not formatted:
            _format(java_argv, props, data, passwords)

    return Component(
        name="kafka",
        argv=[*java_argv, "kafka.Kafka", str(props)],
        port=cfg.kafka_port,
        run_dir=run_dir,
        ready=lambda: port_open(cfg.host, cfg.kafka_port),
        startup_seconds=90,
        prepare=prepare,
    )


def _format(java_argv: list[str], props: Path, data: Path, passwords: dict[str, str]) -> None:
    data.mkdir(parents=True, exist_ok=True)
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    proc = subprocess.run(
        [
            *java_argv,
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={cluster_id}",
            "-c",
            str(props),
            *kafka_security.format_arguments(passwords),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        for password in passwords.values():  # the tool may echo its arguments: never show a password
            output = output.replace(password, "***")
        raise StackError(f"kafka storage format failed:\n{output}")


def kafka_properties(cfg: StackConfig, data: Path, admin_password: str) -> str:
    h = cfg.host
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{h}:{cfg.kafka_controller_port}",
            *kafka_security.listener_properties(h, cfg.kafka_port, cfg.kafka_controller_port, admin_password),
            f"log.dirs={data.resolve()}",
            "auto.create.topics.enable=false",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "",
        ]
    )
