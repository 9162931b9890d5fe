"""Command entry point; the logic is in atlas.publication.database (`python scripts/publish_database.py --help`)."""

import sys

from atlas.publication.database import main

if __name__ == "__main__":
    sys.exit(main())
