"""Command entry point; the logic is in atlas.benchmark.reference (`python scripts/benchmark_reference.py --help`)."""

import sys

from atlas.benchmark.reference import main

if __name__ == "__main__":
    sys.exit(main())
