"""atlas-dbt's Python: the run command, the raw-extract checks, the publication, the reference
implementation, the synthetic-data generator, the report, the disclosure auditor and the benchmark.
The commands in scripts/*.py are thin entry points into these modules."""
