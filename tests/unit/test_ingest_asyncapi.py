"""The AsyncAPI document of ingest declares its one publisher: CallIngested on calls.raw.v1."""

from boi_ingest.app import asyncapi


def test_asyncapi_documents_the_raw_calls_publisher() -> None:
    doc = asyncapi()
    [channel] = doc["channels"].values()
    assert channel["address"] == "calls.raw.v1"
    assert [op["action"] for op in doc["operations"].values()] == ["send"]
    assert "CallIngested" in doc["components"]["schemas"]
    assert doc["servers"]["development"]["host"] == "kafka:9092"
