"""Run every `tests/bench/bench_*.py` module's `main()` in turn, then print all their figures side by side.

A benchmark's `main()` prints as it goes and returns its figures as `{name: value}` (or None).
"""

import importlib
import pkgutil
import sys
import time
from pathlib import Path
from typing import Any


def modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def run(names: list[str]) -> tuple[list[tuple[str, str, Any]], list[str]]:
    """Run each benchmark; one that fails is reported and the others still run."""
    rows: list[tuple[str, str, Any]] = []
    failed: list[str] = []
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"tests.bench.{name}").main()
        except Exception as exc:
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
            failed.append(name)
            continue
        if isinstance(figures, dict):
            rows += [(name, str(figure), value) for figure, value in figures.items()]
        print(f"   ({time.perf_counter() - started:.1f}s)\n", flush=True)
    return rows, failed


def table(rows: list[tuple[str, str, Any]]) -> str:
    def show(value: Any) -> str:
        return f"{value:,.1f}" if isinstance(value, float) else str(value)

    width = [max((len(r[i]) for r in rows), default=0) for i in (0, 1)]
    return "\n".join(f"{m:<{width[0]}}  {f:<{width[1]}}  {show(v)}" for m, f, v in rows)


def selected(args: list[str]) -> list[str]:
    """The benchmarks named (`bench_notify_digest`) or containing a word (`notify`); all when none."""
    names = modules()
    picked = [
        n for a in args for n in names if a.removesuffix(".py") in (n, n.removeprefix("bench_")) or a in n
    ]
    return list(dict.fromkeys(picked)) if args else names


if __name__ == "__main__":
    wanted = selected(sys.argv[1:])
    if not wanted:
        sys.exit(f"no benchmark matches {sys.argv[1:]}; there are: {', '.join(modules())}")
    figures, failures = run(wanted)
    print(table(figures))
    if failures:
        print(f"failed: {', '.join(failures)}")
        sys.exit(1)
