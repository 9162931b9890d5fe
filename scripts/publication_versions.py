"""Command entry point; the logic is in atlas.publication.versions (`python scripts/publication_versions.py --help`)."""

import sys

from atlas.publication.versions import main

if __name__ == "__main__":
    sys.exit(main())
