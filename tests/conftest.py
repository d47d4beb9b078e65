"""Session fixtures: the real stack (Kafka, MongoDB protocol, Meilisearch) and the shared sample data."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stack import StackEndpoints, session_stack

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BOI_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def stack() -> Iterator[StackEndpoints]:
    with session_stack() as endpoints:
        yield endpoints


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """`../shared/data` read in place; tests that need it skip where it is absent (a user's machine)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real sample data not found at {SHARED_DATA} (set BOI_SHARED_DATA)")
    return SHARED_DATA
