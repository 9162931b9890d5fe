"""Command entry point; the logic is in atlas.raw.check (`python scripts/check_raw_extract.py --help`)."""

import sys

from atlas.raw.check import main

if __name__ == "__main__":
    sys.exit(main())
