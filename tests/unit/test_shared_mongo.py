"""The one MongoDB client factory: the options every service gets (read from the client; nothing connects)."""

from boi_shared.mongo import SERVER_SELECTION_TIMEOUT_MS, mongo_client


async def test_every_client_is_tz_aware_fails_fast_and_says_whose_it_is() -> None:
    client = mongo_client("mongodb://127.0.0.1:1", "ingest")
    try:
        assert client.codec_options.tz_aware
        assert client.options.server_selection_timeout == SERVER_SELECTION_TIMEOUT_MS / 1000
        assert client.options.pool_options.metadata["application"] == {"name": "boi-ingest"}
    finally:
        await client.close()


async def test_a_second_client_of_a_service_is_named_by_its_role() -> None:
    client = mongo_client("mongodb://127.0.0.1:1", "catalog", role="visits", timeout_ms=300)
    try:
        assert client.options.pool_options.metadata["application"] == {"name": "boi-catalog-visits"}
        assert client.options.server_selection_timeout == 0.3
    finally:
        await client.close()
