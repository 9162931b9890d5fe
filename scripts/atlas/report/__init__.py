"""The static HTML report of the indicators (scripts/build_report.py): cli (options, stdlib only),
database (reading), views (each page's data), charts (plotly), pages (templates/ and static/),
build (writing the files)."""
