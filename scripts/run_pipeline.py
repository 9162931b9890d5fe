"""Command entry point; the logic is in atlas.pipeline.run (`python scripts/run_pipeline.py --help`)."""

import sys

from atlas.pipeline.run import main

if __name__ == "__main__":
    sys.exit(main())
