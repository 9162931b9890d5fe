"""The standardised figures in the report (docs/standardisation.md): the funnel plot of the
communes' standardised ratios and the standardised columns of the commune table, on a small
database written here, whose every figure is known, and on the synthetic build. The pages are
opened in headless Chromium with the network cut, as in test_report.py."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb
import pytest

from atlas.report.funnel_view import funnel_section
from atlas.report.model import Cell, Indicator, IndicatorData
from conftest import query
from test_report import (assert_sorted_numbers_then_suppressed, browser, build_report, check_well_formed,  # noqa: F401
                         column_keys, open_page, rendered_traces, report, screenshot)

CODE = "stat_999_002"
YEAR = 2021
BELGIUM_RATE = 0.2
COMMUNES = 40
SUPPRESSED = {3: "small_cell", 17: "secondary", 29: "small_cell"}   # commune index -> flag
WITHHELD = {8, 21}                                                   # published cells without standardised figures
COMPARISONS = ("lower", "not different", "higher")
NEW_COLUMNS = ("Standardised rate (% of beneficiaries)", "95% interval", "Compared with Belgium")


def commune_row(index: int) -> tuple[Any, ...]:
    """One commune: populations from 200 to about 20,000, every figure derived from the index."""
    population = round(200 * 100 ** (index / (COMMUNES - 1)))
    flag = SUPPRESSED.get(index)
    if flag is not None:
        return (YEAR, "commune", f"{10000 + index}", f"Commune {index}", f"Gemeente {index}",
                None, None, None, flag, *[None] * 8)
    ratio = 0.7 + 0.6 * ((index * 7) % COMMUNES) / COMMUNES
    expected = population * BELGIUM_RATE
    numerator = round(ratio * expected)
    value = 100 * numerator / population
    if index in WITHHELD:
        standardised: list[Any] = [None] * 8
    else:
        half = 1.96 / math.sqrt(numerator)
        low, high = ratio * (1 - half), ratio * (1 + half)
        compared = "higher" if low > 1 else "lower" if high < 1 else "not different"
        rate = 20 * ratio
        standardised = [rate, rate * (1 - half), rate * (1 + half), expected, ratio, low, high, compared]
    return (YEAR, "commune", f"{10000 + index}", f"Commune {index}", f"Gemeente {index}",
            numerator, population, value, None, *standardised)


def write_database(path: Path) -> None:
    """One indicator, Belgium, one region and COMMUNES communes, with the standardised columns."""
    rows = [(YEAR, "country", "BE", "Belgique", "België", 200_000, 1_000_000, 20.0, None,
             20.0, 19.9, 20.1, 200_000.0, 1.0, 0.99, 1.01, "not different"),
            (YEAR, "region", "03000", "Région wallonne", "Waals Gewest", 60_000, 300_000, 20.0, None,
             *[None] * 8)]
    rows += [commune_row(index) for index in range(COMMUNES)]
    with duckdb.connect(str(path)) as connection:
        connection.execute("""
            create table indicators as select ? as indicator_code, 'Indicateur standardisé' as title_fr,
                null::varchar as title_nl, '% of beneficiaries' as unit, null::varchar as description_fr,
                null::varchar as calculation_method_fr, 'none' as dimensions, 'commune' as smallest_geo_level,
                ? as first_year, 'Belgium: the beneficiaries of the same year' as reference_population""", [CODE, YEAR])
        connection.execute("""
            create table indicator_values (indicator_code varchar, year integer, geo_level varchar, geo_code varchar,
                geo_name varchar, geo_name_nl varchar, age_band varchar, numerator bigint, denominator bigint,
                value double, unit varchar, suppression_flag varchar, standardised_rate double,
                standardised_rate_lower double, standardised_rate_upper double, expected double,
                standardised_ratio double, standardised_ratio_lower double, standardised_ratio_upper double,
                compared_with_belgium varchar)""")
        connection.executemany(
            "insert into indicator_values values (?, ?, ?, ?, ?, ?, 'total', ?, ?, ?, '% of beneficiaries', ?, "
            "?, ?, ?, ?, ?, ?, ?, ?)", [(CODE, *row) for row in rows])


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page of the small database's indicator."""
    root = tmp_path_factory.mktemp("standardised")
    write_database(root / "small.duckdb")
    result = build_report(root / "small.duckdb", root / "report")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "report" / f"{CODE}.html"


def test_the_page_says_which_communes_are_left_out_and_why(small_report: Path) -> None:
    text = small_report.read_text(encoding="utf-8")
    check_well_formed(text, small_report.name)
    left_out = len(SUPPRESSED) + len(WITHHELD)
    assert (f"{left_out} of the {COMMUNES} communes are left out, their standardised figures being withheld: "
            f"{len(SUPPRESSED)} because the commune&#x27;s cell is suppressed, {len(WITHHELD)} because one of its "
            "age bands is withheld, an age-sex group is small, or it counts too few events.") in text
    assert 'id="funnel-chart"' in text and "Spiegelhalter" in text
    assert "<dt>Standardised rates to</dt><dd>Belgium: the beneficiaries of the same year</dd>" in text
    for column in NEW_COLUMNS:
        assert f">{column}</button>" in text
    # A withheld figure of a published row is the table's empty mark, not a suppression label.
    table = text[text.index('id="commune-table"'):]
    withheld_row = table[table.index(f"<tr><td>{10000 + min(WITHHELD)}</td>"):]
    withheld_row = withheld_row[:withheld_row.index("</tr>")]
    assert "suppressed" not in withheld_row
    assert withheld_row.endswith('<td class="num" data-sort=""></td><td class="num" data-sort=""></td>'
                                 '<td data-sort=""></td>')


def test_the_funnel_and_the_new_columns_in_chromium(small_report: Path, browser: Any) -> None:  # noqa: F811
    page, problems = open_page(browser, small_report)
    funnel = rendered_traces(page, "funnel-chart")
    plotted = COMMUNES - len(SUPPRESSED) - len(WITHHELD)
    assert funnel["points"] == plotted                   # one marker per commune with a ratio
    assert funnel["lines"] == 5                          # 95% and 99.8% limits (upper, lower), Belgium at 1
    assert funnel["width"] > 600 and funnel["height"] > 300
    drawn = page.evaluate("""() => document.getElementById('funnel-chart').data
        .filter(trace => trace.mode === 'markers').map(trace => trace.x.length)""")
    assert sum(drawn) == plotted
    assert page.evaluate("() => document.getElementById('funnel-chart').layout.xaxis.type") == "log"
    assert page.locator("#funnel-left-out").is_visible()
    headers = page.locator("#commune-table thead th").all_inner_texts()
    assert [h.strip() for h in headers[-3:]] == list(NEW_COLUMNS)
    rate = page.locator("#commune-table thead button", has_text="Standardised rate")
    rate.click()
    keys = column_keys(page, "commune-table", 6)
    assert_sorted_numbers_then_suppressed(keys, descending=False)
    assert len([k for k in keys if k]) == plotted
    rate.click()
    assert_sorted_numbers_then_suppressed(column_keys(page, "commune-table", 6), descending=True)
    page.locator("#commune-table thead button", has_text="Compared with Belgium").click()
    comparisons = [c.strip() for c in page.locator("#commune-table tbody tr td:nth-child(9)").all_inner_texts()]
    published = [c for c in comparisons if c]
    assert published == sorted(published, key=COMPARISONS.index) and set(published) == set(COMPARISONS)
    assert comparisons[len(published):] == [""] * (COMMUNES - plotted)
    page.locator("#funnel").scroll_into_view_if_needed()
    screenshot(page, "funnel")
    assert problems == []
    assert browser.blocked == []
    page.close()


def test_the_synthetic_build_has_a_funnel_on_every_page(report: tuple[Path, Path], browser: Any) -> None:  # noqa: F811
    out_dir, database = report
    for code in ("cube_013_001", "stat_003_007"):
        latest, communes, plotted = query(database, """
            select year, count(*), count(*) filter (standardised_ratio is not null and denominator > 0)
            from indicator_values where indicator_code = ? and geo_level = 'commune' and age_band = 'total'
            group by year order by year desc limit 1""", [code])[0]
        page, problems = open_page(browser, out_dir / f"{code}.html")
        sentence = page.locator("#funnel-left-out").inner_text()
        if plotted < communes:
            assert sentence.startswith(f"{communes - plotted} of the {communes} communes are left out"), sentence
        funnel = rendered_traces(page, "funnel-chart")
        assert funnel["points"] == plotted and funnel["lines"] == 5
        unit = query(database, "select unit from indicators where indicator_code = ?", [code])[0][0]
        headers = [h.strip() for h in page.locator("#commune-table thead th").all_inner_texts()]
        assert headers[-3:] == [f"Standardised rate ({unit})", "95% interval", "Compared with Belgium"]
        assert f"Communes compared with Belgium, {latest}" in page.content()
        assert problems == []
        page.close()
    assert browser.blocked == []


def test_every_indicator_page_has_its_funnel_or_says_why_not(report: tuple[Path, Path]) -> None:  # noqa: F811
    out_dir, database = report
    rows = query(database, """
        select indicator_code, max(numerator) filter (geo_level = 'country'),
               count(*) filter (geo_level = 'commune' and denominator > 0)
        from indicator_values where age_band = 'total' and geo_level in ('country', 'commune')
        group by indicator_code, year
        qualify year = max(year) over (partition by indicator_code)""")
    assert len(rows) == len(list(out_dir.glob("*_*.html")))
    for code, belgium_numerator, communes_with_population in rows:
        page = (out_dir / f"{code}.html").read_text(encoding="utf-8")
        assert 'id="funnel-left-out"' in page, code
        if belgium_numerator and communes_with_population:
            assert 'id="funnel-chart"' in page and 'id="no-funnel"' not in page, code
        elif belgium_numerator == 0:
            assert 'id="funnel-chart"' not in page and "No funnel plot: Belgium counts no event" in page, code
        else:
            assert 'id="funnel-chart"' not in page and "no commune&#x27;s population is published" in page, code


@pytest.mark.parametrize(("numerator", "denominator", "note"), [
    (0, 1000, "No funnel plot: Belgium counts no event in 2021, so no commune can be compared with its rate."),
    (None, None, "No funnel plot: Belgium's rate of 2021, around which the control limits are drawn, is not "
                 "published."),
])
def test_no_funnel_without_a_belgian_rate(numerator: int | None, denominator: int | None, note: str) -> None:
    belgium = Cell(YEAR, "country", "BE", "Belgique", "België", "total", numerator, denominator,
                   None if numerator is None else 0.0, None if numerator is None else "small_cell")
    commune = Cell(YEAR, "commune", "10001", "Commune", "Gemeente", "total", 0, 500, 0.0, None)
    indicator = Indicator(CODE, "Indicateur", None, "% of beneficiaries", None, None, False, "commune", YEAR)
    section = funnel_section(IndicatorData(indicator, [YEAR], [belgium], [], [commune]))
    assert section is not None and section.chart is None and section.note == note
    assert section.left_out.startswith("1 of the 1 communes are left out")
    assert funnel_section(IndicatorData(indicator, [YEAR], [belgium], [], [])) is None
