"""Stops a native test stack whose test process died without cleaning up (killed by a timeout, SIGKILL…).

Run beside the stack: `python reaper.py <test pid> <stack data dir>`. It polls the test process; once it is
gone, it stops every process whose pid file is under `<data dir>/**/*.pid` (their process groups, as
`boi stack down` does) and removes the directory. The test process stops the reaper itself on a clean exit.
"""

import os
import shutil
import signal
import sys
import time
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal_all(data_dir: Path, sig: signal.Signals) -> None:
    for pid_file in data_dir.rglob("*.pid"):
        try:
            os.killpg(int(pid_file.read_text()), sig)
        except (ValueError, OSError):
            continue


def reap(data_dir: Path) -> None:
    _signal_all(data_dir, signal.SIGTERM)
    time.sleep(5)
    _signal_all(data_dir, signal.SIGKILL)
    shutil.rmtree(data_dir, ignore_errors=True)


def main(parent: int, data_dir: Path) -> None:
    while _alive(parent) and os.getppid() == parent:
        time.sleep(1)
    reap(data_dir)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
