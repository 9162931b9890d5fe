"""Command entry point; the logic is in atlas.report (`python scripts/build_report.py --help`)."""

import sys

from atlas.report.cli import main

if __name__ == "__main__":
    sys.exit(main())
