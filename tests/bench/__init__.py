"""Benchmarks: `python -m tests.bench` (`make bench`) runs every `bench_*.py` module's `main()`."""
