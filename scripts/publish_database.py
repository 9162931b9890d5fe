"""Command entry point; the logic is in atlas.publication.command (`python scripts/publish_database.py --help`)."""

import sys

from atlas.publication.command import main

if __name__ == "__main__":
    sys.exit(main())
