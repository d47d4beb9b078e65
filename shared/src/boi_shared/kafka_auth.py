"""Kafka authentication and authorization, in one place for every client and every deployment.

Clients — each service's broker (`boi_shared.kafka.create_broker`), every command (`boi dlq`, `boi
sources`, `boi notify digest`…), the local stack's admin and the tests — connect through a
`KafkaConnection` built from the `BOI_KAFKA_*` settings (`ServiceSettings.kafka_connection()`):
SASL/SCRAM-SHA-512 when `BOI_KAFKA_USERNAME` is set (SASL_PLAINTEXT, or SASL_SSL with `BOI_KAFKA_TLS`),
without authentication only when it is empty (a broker that has none, e.g. testcontainers' image).

Authorization — `GRANTS` says what each principal may do, derived from the topic declarations
(`boi_shared.topics`): a service reads the topics it subscribes to (in its own consumer groups) and writes
the topics it publishes to, plus the dead-letter topic of each topic it reads (its error policy parks
letters there). `tests/unit/test_kafka_grants.py` compares them with the subscribers and publishers of each
service's generated AsyncAPI document, so a new subscriber or publisher cannot go unnoticed. The read-only
`partner` principal reads `calls.published.v1` in groups named `partner-…` and nothing else. The `admin`
principal is the broker's own and the only super user (`boi stack`, `boi dlq`, topic creation). The local
stack (`boi stack`), docker-compose's `kafka-init` and the Kubernetes job create exactly these ACLs.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from aiokafka.conn import create_conn
from aiokafka.errors import KafkaError, SaslAuthenticationFailed
from aiokafka.protocol.metadata import MetadataRequest
from faststream.kafka.security import parse_security
from faststream.security import SASLScram512

from boi_shared.topics import (
    BULLETINS,
    CALLS_ENRICHED,
    CALLS_PUBLISHED,
    CALLS_RAW,
    IMPRESSIONS,
    WEBHOOK_RETRIES,
    TopicSpec,
)

SCRAM_MECHANISM = "SCRAM-SHA-512"
ADMIN = "admin"
"""The broker's own principal (inter-broker and controller traffic) and the only super user."""
PARTNER = "partner"
PARTNER_GROUP_PREFIX = "partner-"


@dataclass(frozen=True)
class KafkaConnection:
    """Where Kafka is and who connects: the same values for FastStream brokers and raw aiokafka clients."""

    bootstrap: str
    username: str = ""
    password: str = field(default="", repr=False)
    tls: bool = False

    def security(self) -> SASLScram512 | None:
        """FastStream's security object for `KafkaBroker(security=…)`; None without a username."""
        if not self.username:
            return None
        return SASLScram512(self.username, self.password, use_ssl=self.tls)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client (same mapping as
        FastStream's, so the two kinds of client never disagree)."""
        return {"bootstrap_servers": self.bootstrap, **parse_security(self.security())}


Operation = Literal["READ", "WRITE"]


@dataclass(frozen=True)
class AclEntry:
    """One ALLOW rule: `operation` on a topic or consumer group (literal name, or every name it prefixes)."""

    resource: Literal["topic", "group"]
    name: str
    operation: Operation
    prefixed: bool = False


@dataclass(frozen=True)
class Grant:
    """What one principal may do. READ on a topic implies DESCRIBE; WRITE on a topic also allows the
    idempotent producer (Kafka ≥ 3.0 needs no cluster-level IDEMPOTENT_WRITE then)."""

    principal: str
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    group_prefixes: tuple[str, ...] = ()

    def acl_entries(self) -> list[AclEntry]:
        return [
            *(AclEntry("topic", t, "READ") for t in self.reads),
            *(AclEntry("topic", t, "WRITE") for t in self.writes),
            *(AclEntry("group", g, "READ") for g in self.groups),
            *(AclEntry("group", g, "READ", prefixed=True) for g in self.group_prefixes),
        ]


def service_grant(
    service: str, *, consumes: dict[TopicSpec, str] | None = None, produces: tuple[TopicSpec, ...] = ()
) -> Grant:
    """A service's grant from what it consumes (topic → its consumer group) and produces."""
    consumes = consumes or {}
    return Grant(
        principal=service,
        reads=tuple(t.name for t in consumes),
        writes=tuple(t.name for t in produces) + tuple(t.dlq.name for t in consumes),
        groups=tuple(dict.fromkeys(consumes.values())),
    )


GRANTS: tuple[Grant, ...] = (
    service_grant("ingest", produces=(CALLS_RAW,)),
    service_grant("enrich", consumes={CALLS_RAW: "enrich"}, produces=(CALLS_ENRICHED,)),
    service_grant(
        "catalog", consumes={CALLS_ENRICHED: "catalog"}, produces=(CALLS_PUBLISHED, IMPRESSIONS, BULLETINS)
    ),
    service_grant(
        "notify",
        consumes={CALLS_PUBLISHED: "notify", BULLETINS: "notify", WEBHOOK_RETRIES: "notify"},
        produces=(IMPRESSIONS, WEBHOOK_RETRIES),
    ),
    service_grant("metrics", consumes={IMPRESSIONS: "metrics", CALLS_PUBLISHED: "metrics-calls"}),
    Grant(PARTNER, reads=(CALLS_PUBLISHED.name,), group_prefixes=(PARTNER_GROUP_PREFIX,)),
)
SERVICES = tuple(g.principal for g in GRANTS if g.principal != PARTNER)
PRINCIPALS = (ADMIN, *(g.principal for g in GRANTS))


def grant_for(principal: str) -> Grant:
    for grant in GRANTS:
        if grant.principal == principal:
            return grant
    raise KeyError(f"no Kafka grant for principal {principal!r}: one of {', '.join(PRINCIPALS)}")


class KafkaLoginError(RuntimeError):
    """Kafka cannot be used with these settings: the message says why and what to do, without a secret."""


async def login_problem(connection: KafkaConnection, limit_seconds: float = 10.0) -> str | None:
    """Why `connection` cannot log in to Kafka (the credentials were refused, or no broker answers on its
    first bootstrap address), or None when it can. Clients' own errors say only "unable to bootstrap"."""
    host, _, port = connection.bootstrap.split(",")[0].strip().rpartition(":")
    options = parse_security(connection.security())
    who = f"as {connection.username!r}" if connection.username else "without credentials"
    try:
        async with asyncio.timeout(limit_seconds):
            conn = await create_conn(host, int(port), **options)
            try:  # a broker with SASL listeners closes a connection that sends a request without logging in
                await conn.send(MetadataRequest([]))
            finally:
                conn.close()
    except SaslAuthenticationFailed:
        return (
            f"Kafka at {connection.bootstrap} refused the credentials {who} (SASL/{SCRAM_MECHANISM} "
            "authentication failed): check BOI_KAFKA_USERNAME and BOI_KAFKA_PASSWORD (the local stack "
            "keeps them in its data directory, kafka-credentials.json, written by `boi stack up`)"
        )
    except (OSError, TimeoutError, KafkaError) as exc:
        hint = (
            "" if connection.username else "; a broker with authentication needs BOI_KAFKA_USERNAME/PASSWORD"
        )
        return (
            f"Kafka at {connection.bootstrap} did not accept a connection {who} "
            f"({type(exc).__name__}){hint}: is it running? Check BOI_KAFKA_BOOTSTRAP_SERVERS"
        )
    return None
