"""Command entry point; the logic is in atlas.geography_seeds (`python scripts/build_geography_seeds.py --help`)."""

from atlas.geography_seeds import main

if __name__ == "__main__":
    main()
