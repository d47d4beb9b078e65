"""Generated contract artifacts are checked in; any drift between code and files fails here."""

import pytest
from pydantic import BaseModel

from boi_devtools import contracts
from boi_shared import schemas
from boi_shared.events import EVENTS_BY_TOPIC, DeadLetter, Event
from boi_shared.topics import ALL_TOPICS, MAIN_TOPICS


@pytest.mark.parametrize("name", sorted(schemas.event_schemas()))
def test_event_json_schema_matches_checked_in_file(name: str) -> None:
    expected = schemas.render(schemas.event_schemas()[name])
    path = schemas.SCHEMA_DIR / name
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == expected, f"{name} drifted: run `make schemas`"


@pytest.mark.parametrize("service", contracts.SERVICES)
def test_asyncapi_document_matches_checked_in_file(service: str) -> None:
    path = contracts.asyncapi_path(service)
    assert path.exists(), f"{path} missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == contracts.render(contracts.asyncapi_for(service)), (
        f"{service} AsyncAPI drifted: run `make schemas`"
    )


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for field in model.model_fields.values():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            found += _models(ann)
    return found


@pytest.mark.parametrize("root", [*EVENTS_BY_TOPIC.values(), DeadLetter], ids=lambda m: m.__name__)
def test_every_event_field_is_described(root: type[BaseModel]) -> None:
    for model in _models(root):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_every_topic_has_a_dlq_and_declared_partitions() -> None:
    names = {t.name for t in ALL_TOPICS}
    for topic in MAIN_TOPICS:
        assert f"{topic.name}.dlq" in names
        assert topic.partitions >= 1


def test_events_are_frozen() -> None:
    assert Event.model_config.get("frozen") is True
