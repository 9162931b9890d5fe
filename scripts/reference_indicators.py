"""Command entry point; the logic is in atlas.reference (`python scripts/reference_indicators.py --help`)."""

import sys

from atlas.reference.command import main

if __name__ == "__main__":
    sys.exit(main())
