"""Command entry point; the logic is in atlas.synthetic.generator (`python scripts/generate_synthetic_data.py --help`)."""

import sys

from atlas.synthetic.generator import main

if __name__ == "__main__":
    sys.exit(main())
