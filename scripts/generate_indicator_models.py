"""Command entry point; the logic is in atlas.indicator_models (`python scripts/generate_indicator_models.py --help`)."""

import sys

from atlas.indicator_models import main

if __name__ == "__main__":
    sys.exit(main())
