"""The static HTML report of the indicators (scripts/build_report.py): cli (options, stdlib only),
database (reading), model (what is read), views and funnel_view (each page's data, made of
page_parts), charts (plotly), funnel (the funnel plot's control limits), formatting, pages
(templates/ and static/), build (writing the files)."""
