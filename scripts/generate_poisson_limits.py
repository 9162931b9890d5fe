"""Command entry point; the logic is in atlas.poisson_limits (`python scripts/generate_poisson_limits.py --help`)."""

import sys

from atlas.poisson_limits import main

if __name__ == "__main__":
    sys.exit(main())
