"""The Kafka grants (`boi_shared.kafka_auth.GRANTS`) against what each service really subscribes to and
publishes (its AsyncAPI document, generated from its broker), and the client settings built from them."""

import pytest
from pydantic import ValidationError

from boi_devtools.contracts import asyncapi_for
from boi_devtools.stack import kafka_security
from boi_shared.kafka_auth import (
    ADMIN,
    GRANTS,
    PARTNER,
    PRINCIPALS,
    SERVICES,
    AclEntry,
    KafkaConnection,
    grant_for,
)
from boi_shared.settings import ServiceSettings
from boi_shared.topics import ALL_TOPICS, CALLS_PUBLISHED, dlq_name


def _operations(service: str) -> tuple[set[str], set[str]]:
    doc = asyncapi_for(service)
    received, sent = set(), set()
    for op in doc["operations"].values():
        address = doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]
        (received if op["action"] == "receive" else sent).add(address)
    return received, sent


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_granted_exactly_what_its_broker_uses(service: str) -> None:
    received, sent = _operations(service)
    grant = grant_for(service)
    assert set(grant.reads) == received
    assert set(grant.writes) == sent | {dlq_name(t) for t in received}  # its error policy's letters
    assert bool(grant.groups) == bool(received)


def test_the_partner_reads_published_calls_only_in_its_own_groups() -> None:
    assert grant_for(PARTNER).acl_entries() == [
        AclEntry("topic", CALLS_PUBLISHED.name, "READ"),
        AclEntry("group", "partner-", "READ", prefixed=True),
    ]


def test_every_granted_topic_is_declared_and_the_admin_has_no_acl() -> None:
    declared = {t.name for t in ALL_TOPICS}
    for grant in GRANTS:
        assert set(grant.reads) | set(grant.writes) <= declared, grant.principal
    assert ADMIN not in {g.principal for g in GRANTS} and PRINCIPALS[0] == ADMIN
    groups = [g for grant in GRANTS for g in grant.groups]
    assert len(groups) == len(set(groups))  # no two principals share a consumer group


def test_the_broker_has_no_plaintext_listener_and_denies_by_default() -> None:
    props = "\n".join(kafka_security.listener_properties("127.0.0.1", 9092, 9093, "pw-0123456789abcdef"))
    assert "PLAINTEXT://" not in props and ":PLAINTEXT" not in props
    assert "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT" in props
    assert "allow.everyone.if.no.acl.found=false" in props
    assert "super.users=User:admin\n" in props + "\n"
    assert "StandardAuthorizer" in props


def test_every_acl_is_an_allow_for_its_principal() -> None:
    bindings = kafka_security.acl_bindings()
    entries = [(g.principal, e) for g in GRANTS for e in g.acl_entries()]
    assert len(bindings) == len(entries)
    assert {b.principal for b in bindings.values()} == {f"User:{p}" for p in PRINCIPALS if p != ADMIN}


def test_settings_build_one_connection_for_every_client() -> None:
    s = ServiceSettings(
        kafka_bootstrap_servers="k:9092", kafka_username="catalog", kafka_password="x" * 8 + "Yz0123456789"
    )
    kafka = s.kafka_connection()
    assert kafka.client_options()["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kafka.client_options()["security_protocol"] == "SASL_PLAINTEXT"
    assert kafka.password not in repr(kafka)
    assert KafkaConnection("k:9092").client_options() == {"bootstrap_servers": "k:9092"}


def test_a_username_without_a_password_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError, match="BOI_KAFKA_USERNAME and BOI_KAFKA_PASSWORD go together") as exc:
        ServiceSettings(kafka_username="catalog-secret-name")
    assert "catalog-secret-name" not in str(exc.value)
    with pytest.raises(ValidationError, match="BOI_KAFKA_PASSWORD is refused"):
        ServiceSettings(kafka_username="catalog", kafka_password="changeme")
