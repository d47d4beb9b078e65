"""`python -m tests.chaos [--seed S] [--short]`: see tests/chaos/run.py."""

import argparse
import asyncio
import secrets
import sys
import tempfile
from pathlib import Path

from tests.chaos.run import FULL, SHORT, Plan, chaos


def main() -> int:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__)
    parser.add_argument("--seed", type=int, default=None, help="replay a run: the seed it printed")
    parser.add_argument("--short", action="store_true", help="the ≤ 3 min version run by make test")
    parser.add_argument("--calls", type=int, default=None, help="override the number of calls")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    shape = dict(SHORT if args.short else FULL)
    if args.calls:
        shape["calls"] = args.calls
    with tempfile.TemporaryDirectory(prefix="boi-chaos-work-") as work:
        return asyncio.run(chaos(Plan(seed=seed, **shape), Path(work)))


if __name__ == "__main__":
    sys.exit(main())
