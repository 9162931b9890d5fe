"""Reference implementation of the Atlas indicator tables, in plain pandas: the executable specification.

It reads the same raw extract as the dbt project (README "The raw contract": the
`beneficiaries*` and `claims*` files of a raw directory, Parquet or CSV) and the same seeds, and
computes every indicator table of `seeds/indicator_registry.csv`, before small-cell
suppression (the cells, with the individuals behind each numerator) and after it (the published
tables, with `suppression_flag` and the withheld figures nulled).

It was written from the metadata pages (docs/indicator_metadata.md), the documented raw contract
(README), row rules (docs/row_rules.md) and method (docs/method.md) and, for the
suppression, docs/protection.md ("The rules"), not from the SQL models, so that the
differential tests (tests/python/test_differential.py, tests/python/test_reference_properties.py)
compare two independent readings of the same pages. It shares with the models only what must be
one definition: the raw contract (atlas.raw.contract), the seeds, and the dbt vars of the rules
(the small-cell threshold, the medical-house forfaits, the country code; project.py).
Where the pages and the docs leave a choice open, the comment at that step says which
reading is taken and why.

The steps, in order, and the module of each:
  1. read the raw files, as text where the contract says text (extract.py; parsing.py reads
     the values);
  2. row rules: each raw row is used or quarantined with the first reason that applies
     (row_rules.py);
  3. claim groups: identical lines are netted, a group netting to zero is a cancelled service
     (row_rules.py);
  4. each beneficiary-year located (commune on 31 December, else 30 June) with its age band
     (geography.py);
  5. per-person variables: IMAG_*_N, FF_MH, MH_PATIENT (person_variables.py);
  6. cells: beneficiaries, patients and volumes at every geographic level and age band (cells.py);
  7. the indicator cells of the registry, value = numerator / (denominator / multiplier) (cells.py);
  8. small-cell suppression on the population and variable patterns of docs/protection.md
     ("The rules"): primary, then secondary rounds until neither the withheld cells nor those
     needing partners change, then the flag per pattern (suppression_patterns.py, suppression.py);
  8b. the standardised figures of each indicator, year and unit (docs/standardisation.md): strata
     of age band x sex, Belgium's rates, the DSR and the ratio with their intervals
     (standardisation.py), published under the rules 1-4 on the total rows (standardised_figures.py);
  9. write the tables, a DuckDB file or a directory of Parquet files (command.py).
indicators.py chains them (`compute`); the seeds and the dbt vars are read in project.py.

Usage (inside the project's .venv):
    python scripts/reference_indicators.py --raw-dir data/raw --out /tmp/reference.duckdb
"""
