"""Generate a deterministic SYNTHETIC raw extract (beneficiaries and claims) for atlas-dbt.

Nothing here is real data: every person, domicile and claim line is invented. The files follow
the project's raw data contract (`beneficiaries_<year>` and `claims_<year>`, Parquet or CSV, with
the columns of models/staging/ima/_ima__sources.yml) so that the dbt project, its tests and CI
can run without access to the private IMA-AIM files.

Model of the synthetic population (rates are model parameters chosen to land near published
IMA-AIM / Statbel figures (atlas.ima-aim.be, statbel.fgov.be, healthybelgium.be); they are not
estimates):

* Persons 1..N are alive at the start of the first year, with ages drawn from a Belgian-like
  pyramid (flat to 60, then declining to 105; about 19% aged 65+) and about 51% women.
  Each later year adds a birth cohort of about 1% of N. Each year a person dies with an
  age-dependent Gompertz-like probability (about 1% overall) and is absent from later years.
* Domicile: a person draws a "home" commune from communes weighted by a hash-derived size,
  with the big cities larger and region totals near Flanders 58%, Wallonia 32%, Brussels 10%,
  and one of the commune's statistical sectors. About 2.6% of persons move between 30 June
  and 31 December each year (a new home from then on); about 2% have no known domicile in a
  year and about 1% only a 30 June domicile.
* Claims: about 59% of persons have imaging in a year (more at older ages, region factors as
  published for 2015); an imaging user gets one "primary" modality plus independent extra
  modalities, so modality shares land near echography 36%, radiography 26%, CT 13%, MRI 9%.
  Codes come from the imaging seed (only codes valid on the service date), providers from the
  provider-qualification seed by a modality-specific provider mix. Medical-house patients
  (about 4.7%, mostly Brussels and Wallonia) get monthly 109616 forfaits from a medical house;
  about 55% of the others have a yearly 102771 DMG at an ordinary GP practice. Non-imaging
  consultation lines, corrections (negative copies), exact duplicates and a few service dates
  in the December before the year are added so the models' edge cases are exercised, and a few
  rows the row rules must set aside or flag (docs/row_rules.md): beneficiaries without birth
  year, with an unknown commune or sector, or delivered twice; claim lines without person, with
  quantity 0, a 7-digit code, an unknown person, or a correction whose original is missing.

Randomness is hash-based: every draw is hash(seed, person, salt, key) mapped to [0, 1), so the
output depends only on the arguments, never on threads or run order, and output rows are sorted
so files are byte-identical across runs. All row-level work is DuckDB SQL; Python only loops
over years and steps. Seed tables are read at run time from --seed-dir.

Modules: config (arguments), parameters (the model's rates and shares), draws (the hash-based
draw macros), sql (SQL literals), seeds (reading the dbt seeds), lookups (weighted-draw tables),
population (the persons of a year), claims (their claim lines), defects (the deliberate bad
rows), files (the raw files and their contract columns), generator (the run, year by year).
"""
