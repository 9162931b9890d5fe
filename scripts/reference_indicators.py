"""Command entry point; the logic is in atlas.reference.indicators (`python scripts/reference_indicators.py --help`)."""

import sys

from atlas.reference.indicators import main

if __name__ == "__main__":
    sys.exit(main())
