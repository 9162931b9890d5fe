"""Command entry point; the logic is in atlas.benchmark.command (`python scripts/benchmark_run.py --help`)."""

import sys

from atlas.benchmark.command import main

if __name__ == "__main__":
    sys.exit(main())
