"""A native test stack does not outlive a test process killed before its clean-up (SIGKILL)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.support.stack import _docker_available

ROOT = Path(__file__).resolve().parents[2]


def _running(data_dir: str) -> list[str]:
    out = subprocess.run(["ps", "-eww", "-o", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if data_dir in line and "reaper.py" not in line]


@pytest.mark.skipif(
    bool(os.environ.get("BOI_TEST_KAFKA_BOOTSTRAP_SERVERS")) or _docker_available(),
    reason="only the native stack is started by the tests' own processes",
)
def test_a_killed_test_process_leaves_no_stack_behind() -> None:
    script = textwrap.dedent(
        """
        import os, signal, sys
        from tests.support.stack import session_stack
        with session_stack() as stack:
            print(stack.mongo_url, flush=True)
            sys.stdin.readline()
            os.kill(os.getpid(), signal.SIGKILL)  # no finally, no atexit
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert child.stdin is not None and child.stdout is not None
    line = child.stdout.readline()
    assert line, "the stack did not start"
    port = line.strip().rsplit(":", 1)[-1].strip("/")
    [ferretdb] = [p for p in _running("boi-test-stack-") if f":{port}" in p]
    data_dir = ferretdb.split("file:")[1].split("/ferretdb/")[0]
    assert len(_running(data_dir)) == 4  # kafka, ferretdb, meilisearch and mailpit of the child
    child.stdin.write("die\n")
    child.stdin.flush()
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (_running(data_dir) or Path(data_dir).exists()):
        time.sleep(0.5)
    assert _running(data_dir) == [], "the stack is still running"
    assert not Path(data_dir).exists(), "its data directory is still there"
