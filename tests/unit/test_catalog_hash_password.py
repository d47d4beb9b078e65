"""`boi catalog hash-password` through the installed `boi` executable (the `boi.commands` plugin of catalog),
with the password from stdin and from a terminal prompt; the module form keeps working."""

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from boi_catalog.web.auth import parse_users, verify_password

BIN = Path(sys.executable).parent
BOI = BIN / "boi"
PASSWORD = "correct horse battery staple"


def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    if not BOI.is_file():
        pytest.fail(f"{BOI} missing: run `uv sync --frozen`")
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60, check=False)


def test_boi_catalog_hash_password_reads_stdin_and_prints_a_verifiable_hash() -> None:
    result = run(str(BOI), "catalog", "hash-password", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    [encoded] = result.stdout.splitlines()
    assert encoded.startswith("pbkdf2_sha256$600000$")
    assert verify_password(PASSWORD, encoded)
    assert not verify_password(PASSWORD + "x", encoded)
    assert PASSWORD not in result.stdout + result.stderr


def test_boi_catalog_hash_password_with_a_name_prints_a_users_entry() -> None:
    result = run(str(BOI), "catalog", "hash-password", "ana", "--role", "admin", stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    [(name, (role, encoded))] = parse_users(result.stdout.strip()).items()
    assert (name, role) == ("ana", "admin") and verify_password(PASSWORD, encoded)


def test_module_form_still_works() -> None:
    args = (sys.executable, "-m", "boi_catalog.web.cli_users", "hash-password", "luis")
    result = run(*args, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr
    [(name, (role, encoded))] = parse_users(result.stdout.strip()).items()
    assert (name, role) == ("luis", "curator") and verify_password(PASSWORD, encoded)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("catalog", "hash-password"), "", "No password given"),
        (("catalog", "hash-password", "ana", "--role", "root"), PASSWORD + "\n", "curator or admin"),
        (("catalog", "hash-password", "a:b"), PASSWORD + "\n", "cannot contain"),
    ],
)
def test_bad_input_fails_with_a_reason_and_no_hash(args: tuple[str, ...], stdin: str, message: str) -> None:
    result = run(str(BOI), *args, stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr and "pbkdf2_sha256$" not in result.stdout


def _read_until(fd: int, marker: bytes, deadline: float) -> bytes:
    """What the terminal shows until `marker` (or the child's exit), failing at the deadline."""
    seen = b""
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {seen!r}"
        if not select.select([fd], [], [], min(left, 1.0))[0]:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_on_a_terminal_it_prompts_twice_without_echo() -> None:
    if not BOI.is_file():
        pytest.fail(f"{BOI} missing: run `uv sync --frozen`")
    pid, fd = pty.fork()
    if pid == 0:  # the child: `boi` with the pseudo-terminal as its controlling terminal
        os.execv(str(BOI), [str(BOI), "catalog", "hash-password"])
    deadline = time.monotonic() + 60
    try:
        # Click writes "Password:", then getpass turns echo off, flushing pending input, and writes the
        # space: type only once the space is there.
        transcript = _read_until(fd, b"Password: ", deadline)
        os.write(fd, PASSWORD.encode() + b"\n")
        transcript += _read_until(fd, b"confirmation: ", deadline)
        os.write(fd, PASSWORD.encode() + b"\n")
        transcript += _read_until(fd, b"\x00never", deadline)  # everything until the child exits
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = transcript.decode()
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert PASSWORD not in text, "the password was echoed"
    [encoded] = [w for w in text.split() if w.startswith("pbkdf2_sha256$")]
    assert verify_password(PASSWORD, encoded)
