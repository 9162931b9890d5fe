"""Command entry point; the logic is in atlas.disclosure.command (`python scripts/audit_disclosure.py --help`)."""

import sys

from atlas.disclosure.command import main

if __name__ == "__main__":
    sys.exit(main())
