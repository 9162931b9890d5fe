"""The HTML report (scripts/build_report.py): built from the synthetic build, then opened from disk
in headless Chromium with the network cut: no console errors, the charts render, the commune
table sorts. Screenshots are kept in tests/artifacts/ (git-ignored) as the test's artefacts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest

from conftest import PROJECT_DIR, query, registry_codes

BUILD_REPORT = PROJECT_DIR / "scripts" / "build_report.py"
ARTIFACTS_DIR = PROJECT_DIR / "tests" / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def build_report(database: Path, out_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BUILD_REPORT), "--database", str(database), "--out-dir", str(out_dir),
                           *extra], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def report(synthetic_build: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(report directory, database) of the report written from the synthetic build."""
    _, database = synthetic_build
    out_dir = tmp_path_factory.mktemp("report") / "report"
    started = time.monotonic()
    result = build_report(database, out_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    print(f"report built in {time.monotonic() - started:.1f}s:\n{result.stdout}")
    return out_dir, database


# --- the files -----------------------------------------------------------------------------

def test_help() -> None:
    result = subprocess.run([sys.executable, str(BUILD_REPORT), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for option in ("--database", "--out-dir", "ATLAS_PUBLISHED_DUCKDB_PATH"):
        assert option in result.stdout


def test_one_page_per_indicator_and_one_copy_of_the_library(report: tuple[Path, Path]) -> None:
    out_dir, database = report
    codes = [row[0] for row in query(database, "select indicator_code from indicators order by 1")]
    assert codes == registry_codes()
    pages = sorted(p.stem for p in out_dir.glob("*.html") if p.name != "index.html")
    assert pages == codes
    assert [p.name for p in out_dir.glob("*.js")] and sorted(p.name for p in out_dir.glob("*.js")) == [
        "plotly.min.js", "report.js"]
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    titles_units = query(database, "select indicator_code, title_fr, unit from indicators")
    for code, title, unit in titles_units:
        assert f'href="{code}.html"' in index
        assert f">{title}<" in index.replace("&#x27;", "'")
        assert unit in index


def test_pages_are_offline_and_well_formed(report: tuple[Path, Path]) -> None:
    out_dir, _ = report
    for path in sorted(out_dir.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">"), path.name
        # Every script and stylesheet is a local file beside the pages: nothing from a CDN.
        for reference in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', text):
            assert reference.startswith("data:") or "/" not in reference, (path.name, reference)
        assert text.count('src="plotly.min.js"') == (0 if path.name == "index.html" else 1)
        check_well_formed(text, path.name)


def test_cube_and_stat_pages(report: tuple[Path, Path]) -> None:
    out_dir, database = report
    cube = (out_dir / "cube_013_001.html").read_text(encoding="utf-8")
    stat = (out_dir / "stat_003_007.html").read_text(encoding="utf-8")
    for page in (cube, stat):
        assert 'id="trend-chart"' in page and 'id="commune-table"' in page
        assert "synthetic" in page and "suppressed (secondary)" in page  # the footer's note
    assert 'id="age-band-chart"' in cube and 'id="no-age-bands"' not in cube
    assert 'id="age-band-chart"' not in stat and "has no age bands" in stat
    # The commune table holds every commune of the latest year, suppressed ones labelled as such.
    latest, communes, small, secondary = query(database, """
        select year, count(*), count(*) filter (suppression_flag = 'small_cell'),
               count(*) filter (suppression_flag = 'secondary')
        from indicator_values
        where indicator_code = 'cube_013_001' and geo_level = 'commune' and age_band = 'total'
        group by year order by year desc limit 1""")[0]
    table = cube[cube.index('id="commune-table"'):]
    assert table.count("<tr><td>") == communes
    assert small > 0
    assert table.count(">suppressed (small cell)<") == small
    assert table.count(">suppressed (secondary)<") == secondary
    assert f"Communes, {latest}, all ages" in cube


def test_text_is_escaped(tmp_path: Path) -> None:
    """Names with apostrophes, accents and markup come out as text, never as markup."""
    database = tmp_path / "tiny.duckdb"
    nasty = "L'Écluse <b>&amp; \"Sint-Genesius-Rode\"</b>"
    with duckdb.connect(str(database)) as connection:
        connection.execute("""
            create table indicators as select 'stat_999_001' as indicator_code, ? as title_fr,
                null::varchar as title_nl, '% of beneficiaries' as unit, 'desc <i>' as description_fr,
                'n / d' as calculation_method_fr, 'none' as dimensions, 'commune' as smallest_geo_level,
                2020 as first_year, 'Belgium <i>' as reference_population""", [nasty])
        connection.execute("""
            create table indicator_values as
            select 'stat_999_001' as indicator_code, year, geo_level, geo_code, geo_name, geo_name_nl,
                   'total' as age_band, numerator, denominator, value, '% of beneficiaries' as unit,
                   suppression_flag,
                   -- The named commune is on the funnel plot too, its name in the points' hover text.
                   if(geo_code = '55004', 12.0, null) as standardised_rate,
                   if(geo_code = '55004', 5.0, null) as standardised_rate_lower,
                   if(geo_code = '55004', 25.0, null) as standardised_rate_upper,
                   if(geo_code = '55004', 4.0, null) as expected,
                   if(geo_code = '55004', 1.25, null) as standardised_ratio,
                   if(geo_code = '55004', 0.4, null) as standardised_ratio_lower,
                   if(geo_code = '55004', 2.9, null) as standardised_ratio_upper,
                   if(geo_code = '55004', 'not different', null) as compared_with_belgium
            from (values
                (2020, 'country', 'BE', 'Belgique', 'België', 10, 100, 10.0, null),
                (2020, 'region', '03000', 'Région wallonne', 'Waals Gewest', 5, 50, 10.0, null),
                (2020, 'commune', '55004', ?, 'Nl <script>', 5, 40, 12.5, null),
                (2020, 'commune', '55005', 'Écaussinnes', 'Ecaussinnes', null, null, null, 'small_cell')
            ) as t(year, geo_level, geo_code, geo_name, geo_name_nl, numerator, denominator, value,
                   suppression_flag)""", [nasty])
    out_dir = tmp_path / "report"
    result = build_report(database, out_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (out_dir / "stat_999_001.html").read_text(encoding="utf-8")
    assert "<b>" not in page and "Nl <script>" not in page
    assert "L&#x27;Écluse &lt;b&gt;&amp;amp; &quot;Sint-Genesius-Rode&quot;&lt;/b&gt;" in page
    assert "Nl &lt;script&gt;" in page
    assert "desc &lt;i&gt;" in page and "Belgium &lt;i&gt;" in page
    assert ">suppressed (small cell)<" in page
    assert 'id="funnel-chart"' in page and '"text":["L&#x27;\\u00c9cluse &lt;b&gt;' in page  # a funnel point's hover
    # In the chart data (JSON inside a script), '<' is escaped so no tag can close the script.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    assert all("<b>" not in s and "</b" not in s for s in scripts)
    check_well_formed(page, "stat_999_001.html")
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    assert "L&#x27;Écluse &lt;b&gt;" in index


def test_missing_database_or_tables_is_a_clear_error(tmp_path: Path) -> None:
    result = build_report(tmp_path / "absent.duckdb", tmp_path / "out")
    assert result.returncode != 0 and "no database file" in result.stderr
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = build_report(empty, tmp_path / "out")
    assert result.returncode != 0 and "indicator" in result.stderr


class WellFormed(HTMLParser):
    """Checks that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, self.getpos()))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def check_well_formed(text: str, name: str) -> None:
    parser = WellFormed()
    parser.feed(text)
    parser.close()
    assert not parser.errors, (name, parser.errors[:5])
    assert not parser.stack, (name, parser.stack[:5])


# --- in the browser ------------------------------------------------------------------------

def chromium_path() -> str:
    path = os.environ.get("ATLAS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is needed for the report's browser test and was not found: install Debian's package "
                    "(apt-get install -y --no-install-recommends chromium; .ci/run does it in CI) or set ATLAS_CHROMIUM")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A browser context of Debian's Chromium, headless, with a fresh profile and no network:
    every request that is not for a local file is refused and recorded in context.blocked."""
    from playwright.sync_api import Route, sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path_factory.mktemp("chromium-profile")), executable_path=executable,
            headless=True, args=CHROMIUM_FLAGS, viewport={"width": 1280, "height": 900}, offline=True)
        blocked: list[str] = []

        def route(route: Route) -> None:
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", route)
        context.blocked = blocked  # type: ignore[attr-defined]
        try:
            yield context
        finally:
            context.close()


def open_page(browser: Any, path: Path) -> tuple[Any, list[str]]:
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"report_{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def rendered_traces(page: Any, chart_id: str) -> dict[str, Any]:
    """What plotly drew in one chart: its SVG layers, traces and marks."""
    page.wait_for_selector(f"#{chart_id}.js-plotly-plot .main-svg", state="attached", timeout=20_000)
    result: dict[str, Any] = page.evaluate("""(id) => {
        const root = document.getElementById(id);
        return {
            svgs: root.querySelectorAll('.main-svg').length,
            data: root.data ? root.data.length : 0,
            lines: root.querySelectorAll('.scatterlayer .trace path.js-line').length,
            points: root.querySelectorAll('.scatterlayer .trace .points path').length,
            // plotly keeps a flat path for a missing (suppressed) bar: count the bars drawn
            bars: Array.from(root.querySelectorAll('.barlayer .trace .point path'))
                .filter(path => path.getBBox().height > 0).length,
            legend: root.querySelectorAll('.legend .traces').length,
            width: root.getBoundingClientRect().width,
            height: root.getBoundingClientRect().height,
        };
    }""", chart_id)
    return result


def column_keys(page: Any, table_id: str, column: int) -> list[str]:
    keys: list[str] = page.evaluate("""([id, column]) => Array.from(document.getElementById(id).tBodies[0].rows)
        .map(row => row.cells[column].getAttribute('data-sort') ?? row.cells[column].textContent.trim())""",
                                    [table_id, column])
    return keys


def assert_sorted_numbers_then_suppressed(keys: list[str], descending: bool) -> None:
    numbers = [float(k) for k in keys if k != ""]
    suppressed = [k for k in keys if k == ""]
    assert numbers and suppressed
    assert keys == [k for k in keys if k != ""] + suppressed, "suppressed cells must come last"
    assert numbers == sorted(numbers, reverse=descending)


def expected_trend_marks(database: Path, code: str) -> tuple[int, int]:
    """(lines, points) the trend chart should draw: a point per published cell, a line per area
    with two published cells in consecutive years (suppressed cells are gaps)."""
    rows = query(database, """select geo_code, year, value from indicator_values
        where indicator_code = ? and geo_level in ('country', 'region') and age_band = 'total'""", [code])
    years = sorted({year for _, year, _ in rows})
    published = {(geo, year) for geo, year, value in rows if value is not None}
    lines = sum(1 for geo in {geo for geo, _, _ in rows}
                if any((geo, a) in published and (geo, b) in published for a, b in zip(years, years[1:])))
    return lines, len(published)


def assert_locale_sorted(page: Any, keys: list[str]) -> None:
    """Sorted as the page sorts text: French collation, case and accents aside."""
    assert len(keys) > 1
    assert page.evaluate("keys => keys.every((k, i) => i === 0 || keys[i - 1].localeCompare(k, 'fr', "
                         "{sensitivity: 'base', numeric: true}) <= 0)", keys)


def test_index_page_in_chromium(report: tuple[Path, Path], browser: Any) -> None:
    out_dir, _ = report
    page, problems = open_page(browser, out_dir / "index.html")
    assert page.locator("#indicator-table tbody tr").count() == len(registry_codes())
    assert page.locator("html").get_attribute("lang") == "en"
    # Sort by title, then follow a link to an indicator page.
    page.get_by_role("button", name="Title (FR)").click()
    assert_locale_sorted(page, column_keys(page, "indicator-table", 1))
    assert page.locator("#indicator-table th").nth(1).get_attribute("aria-sort") == "ascending"
    screenshot(page, "index")
    page.locator('a[href="stat_003_007.html"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("stat_003_007.html")
    assert problems == []
    assert browser.blocked == []
    page.close()


def test_cube_page_in_chromium(report: tuple[Path, Path], browser: Any) -> None:
    out_dir, database = report
    page, problems = open_page(browser, out_dir / "cube_013_001.html")
    geographies = query(database, """select count(distinct geo_code) from indicator_values
        where indicator_code = 'cube_013_001' and geo_level in ('country', 'region')""")[0][0]
    trend = rendered_traces(page, "trend-chart")
    assert trend["svgs"] >= 1 and trend["data"] == trend["legend"] == geographies == 4
    assert (trend["lines"], trend["points"]) == expected_trend_marks(database, "cube_013_001")
    assert trend["width"] > 600 and trend["height"] > 300
    published_bars = query(database, """select count(*) filter (value > 0) from indicator_values
        where indicator_code = 'cube_013_001' and geo_level in ('country', 'region') and age_band <> 'total'
            and year = (select max(year) from indicator_values where indicator_code = 'cube_013_001')""")[0][0]
    ages = rendered_traces(page, "age-band-chart")
    assert ages["data"] == geographies and ages["bars"] == published_bars >= 20  # suppressed cells: no bar
    # The commune table sorts by value on a click, suppressed cells last either way.
    value_button = page.locator("#commune-table thead button", has_text="Value")
    value_button.click()
    assert_sorted_numbers_then_suppressed(column_keys(page, "commune-table", 3), descending=False)
    assert page.locator("#commune-table thead th").nth(3).get_attribute("aria-sort") == "ascending"
    value_button.click()
    assert_sorted_numbers_then_suppressed(column_keys(page, "commune-table", 3), descending=True)
    assert page.locator("#commune-table tbody td.suppressed", has_text="suppressed (small cell)").count() > 0
    page.locator("#commune-table thead button", has_text="Commune (FR)").click()
    assert_locale_sorted(page, column_keys(page, "commune-table", 1))
    page.locator("#commune-table thead button", has_text="NIS code").click()  # code order for the screenshot
    screenshot(page, "cube_013_001")
    assert problems == []
    assert browser.blocked == []
    page.close()


def test_stat_page_in_chromium(report: tuple[Path, Path], browser: Any) -> None:
    out_dir, database = report
    page, problems = open_page(browser, out_dir / "stat_003_007.html")
    trend = rendered_traces(page, "trend-chart")
    assert trend["data"] == trend["legend"] == 4
    assert (trend["lines"], trend["points"]) == expected_trend_marks(database, "stat_003_007")
    assert page.locator("#age-band-chart").count() == 0
    assert page.locator("#no-age-bands").is_visible()
    page.locator("#commune-table thead button", has_text="Denominator").click()
    assert_sorted_numbers_then_suppressed(column_keys(page, "commune-table", 5), descending=False)
    page.locator("#commune-table thead button", has_text="NIS code").click()  # code order for the screenshot
    screenshot(page, "stat_003_007")
    assert problems == []
    assert browser.blocked == []
    page.close()
