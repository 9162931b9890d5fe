"""Indicator metadata: the texts of seeds/indicator_descriptions.csv and the `indicators` table.

The first tests read the seeds directly (no build): every code has its nine texts (title,
description and calculation method in French, Dutch and English), written in our own words
(docs/indicator_metadata.md), with the formula of the registry and a source_page naming one of
the five metadata pages. The last tests build one tiny extract (three persons in 2016) and read
the `indicators` table and DuckDB's catalogue (duckdb_tables(), duckdb_columns()), where dbt's
persist_docs writes the model and column descriptions of the marts.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from conftest import PROJECT_DIR, query, registry_codes

SEEDS = PROJECT_DIR / "seeds"
DOC = PROJECT_DIR / "docs" / "indicator_metadata.md"
LANGUAGES = ("fr", "nl", "en")
TEXT_COLUMNS = [f"{kind}_{lang}" for kind in ("title", "description", "calculation_method") for lang in LANGUAGES]
COLUMNS = ["indicator_code", *TEXT_COLUMNS, "source_page"]
# The French title is the registry's (written once, there); the seed holds the other texts.
SEED_COLUMNS = [column for column in COLUMNS if column != "title_fr"]

# The calculation method starts with "numerator / (denominator / multiplier)"; a patients
# numerator says "at least one".
FORMULA = {
    "fr": re.compile(r"(?P<numerator>Nombre d.+?) / \(Nombre de bénéficiaires / (?P<multiplier>\d+)\)\. "),
    "nl": re.compile(r"(?P<numerator>Aantal .+?) / \(Aantal rechthebbenden / (?P<multiplier>\d+)\)\. "),
    "en": re.compile(r"(?P<numerator>Number of .+?) / \(Number of beneficiaries / (?P<multiplier>\d+)\)\. "),
}
AT_LEAST = {"fr": "au moins", "nl": "minstens", "en": "at least"}
# The word for the insured population, which every description and method of a language uses.
POPULATION = {"fr": "bénéficiaires", "nl": "rechthebbenden", "en": "beneficiaries"}
UNIT_PHRASE = {
    ("patients", "fr"): "Pourcentage des bénéficiaires",
    ("patients", "nl"): "Percentage rechthebbenden",
    ("patients", "en"): "Percentage of beneficiaries",
    ("volume", "fr"): "pour 1 000 bénéficiaires",
    ("volume", "nl"): "per 1.000 rechthebbenden",
    ("volume", "en"): "per 1,000 beneficiaries",
}
# Titles that are rightly the same word in two languages (code without its cube_/stat_ prefix).
SAME_TITLE = {("fr", "nl"): {"013_013"}, ("nl", "en"): {"013_015"}}  # CT-scan; MRI
# Slips of the published pages that our texts must not carry over.
PAGE_SLIPS = [re.compile(r"rambours", re.IGNORECASE), re.compile(r"imagerie thérapeutique interventionnel\b", re.IGNORECASE)]
PAGE_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[tuple[dict[str, str], dict[str, str]]]:
    """(the code's texts: its description row and the registry's French title, registry row) per
    code, in registry order."""
    descriptions = {row["indicator_code"]: row for row in read_csv("indicator_descriptions.csv")}
    return [({**descriptions[row["indicator_code"]], "title_fr": row["title_fr"]}, row)
            for row in read_csv("indicator_registry.csv") if row["indicator_code"] in descriptions]


def documented_pages() -> dict[str, tuple[str, str]]:
    """page file -> (indicator code, metadata date), from the table of docs/indicator_metadata.md."""
    pattern = re.compile(r"^\| `(\d{3}_[0-9a-f]{16}\.txt)` \| `(\w+)` \| [^|]+ \| (\d{4}-\d{2}-\d{2}) \|$", re.MULTILINE)
    return {page: (code, date) for page, code, date in pattern.findall(DOC.read_text(encoding="utf-8"))}


def pages_folder() -> Path | None:
    """The published pages, when this checkout can see them (../shared/indicator-metadata/)."""
    configured = os.environ.get("ATLAS_METADATA_PAGES")
    candidates = [Path(configured)] if configured else [
        parent / "shared" / "indicator-metadata" for parent in PROJECT_DIR.parents]
    return next((folder for folder in candidates if folder.is_dir()), None)


# --- the seed, read directly ----------------------------------------------------------------

def test_one_row_per_registry_code_with_the_columns_in_order() -> None:
    with (SEEDS / "indicator_descriptions.csv").open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == SEED_COLUMNS
    codes = [row["indicator_code"] for row in read_csv("indicator_descriptions.csv")]
    assert len(codes) == len(set(codes))
    assert sorted(codes) == registry_codes() != []


def test_every_code_has_its_nine_texts(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, _ in rows:
        for column in [*TEXT_COLUMNS, "source_page"]:
            value = text[column]
            assert value.strip(), (text["indicator_code"], column)
            assert value == value.strip() and "  " not in value, (text["indicator_code"], column)
            assert "<" not in value and "](" not in value, (text["indicator_code"], column)  # no page markup


def test_no_text_carries_a_slip_of_the_pages(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, _ in rows:
        for column in TEXT_COLUMNS:
            for slip in PAGE_SLIPS:
                assert not slip.search(text[column]), (text["indicator_code"], column, slip.pattern)


def test_each_text_is_in_its_language(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, _ in rows:
        for lang in LANGUAGES:
            for kind in ("description", "calculation_method"):
                value = text[f"{kind}_{lang}"]
                assert POPULATION[lang] in value, (text["indicator_code"], kind, lang)
                others = [POPULATION[other] for other in LANGUAGES if other != lang]
                assert not any(word in value for word in others), (text["indicator_code"], kind, lang)


def test_formula_matches_the_registry_in_each_language(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, registry in rows:
        code = registry["indicator_code"]
        # The per-person variable the page names: the registry's, or the page's own (FF_MH for
        # stat_003_007, whose registry variable MH_PATIENT is built from it).
        variable = (registry["source_variable"] if registry["source_variable"] in registry["page_source_variables"]
                    else registry["page_source_variables"])
        for lang in LANGUAGES:
            method = text[f"calculation_method_{lang}"]
            match = FORMULA[lang].match(method)
            assert match, (code, lang, method[:80])
            assert match["multiplier"] == registry["multiplier"], (code, lang)
            assert (AT_LEAST[lang] in match["numerator"]) == (registry["measure"] == "patients"), (code, lang)
            assert len(FORMULA[lang].findall(method)) == 1, (code, lang)
            assert variable in method, (code, lang)


def test_descriptions_state_the_unit_levels_and_first_year(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, registry in rows:
        code = registry["indicator_code"]
        for lang in LANGUAGES:
            description = text[f"description_{lang}"]
            assert UNIT_PHRASE[registry["measure"], lang] in description, (code, lang)
            assert registry["first_year"] in description, (code, lang)
            if registry["sector_from_year"]:
                assert registry["sector_from_year"] in description, (code, lang)
            age_words = {"fr": "tranche d'âge", "nl": "leeftijdsgroep", "en": "age band"}[lang]
            assert (age_words in description) == (registry["dimensions"] == "age_band_10y"), (code, lang)


def test_titles_agree_with_the_registry_and_differ_between_languages(
        rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    for text, registry in rows:
        code = registry["indicator_code"]
        for (one, other), same in SAME_TITLE.items():
            assert (text[f"title_{one}"] == text[f"title_{other}"]) == (code[5:] in same), (code, one, other)
        assert text["title_fr"] != text["title_en"], code
        is_volume = registry["measure"] == "volume"
        assert text["title_nl"].startswith("Volume ") == is_volume, code
        assert (" volume" in text["title_en"]) == is_volume, code
    for lang in LANGUAGES:
        for prefix in ("cube_", "stat_"):
            titles = [text[f"title_{lang}"] for text, registry in rows if registry["indicator_code"].startswith(prefix)]
            assert len(titles) == len(set(titles)), (lang, prefix)
    # A cube_ code and its stat_ sibling measure the same thing: the same titles.
    by_code = {registry["indicator_code"]: text for text, registry in rows}
    for code, text in by_code.items():
        if code.startswith("cube_"):
            sibling = by_code["stat_" + code[5:]]
            assert [text[f"title_{lang}"] for lang in LANGUAGES] == [sibling[f"title_{lang}"] for lang in LANGUAGES]


def test_source_page_names_a_page_or_says_derived(rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    pages = documented_pages()
    assert len(pages) == 5, pages
    page_of = {code: page for page, (code, _) in pages.items()}
    for text, registry in rows:
        code, source = registry["indicator_code"], text["source_page"]
        named = PAGE_FILE.findall(source)
        assert named and set(named) <= set(pages), (code, source)
        for page in named:
            assert f"{pages[page][0]}, updated {pages[page][1]}" in source or code == pages[page][0], (code, page)
        if code in page_of:
            assert source == f"{page_of[code]} (the metadata page of {code}, updated {pages[page_of[code]][1]})"
            assert registry["metadata_date"] == pages[page_of[code]][1], code
        else:
            assert source.startswith("derived from the registry and page") and source.endswith(": no page of its own")
            assert registry["metadata_date"] in source, code


def test_documented_pages_exist_and_carry_their_code() -> None:
    folder = pages_folder()
    if folder is None:
        pytest.skip("the published metadata pages (../shared/indicator-metadata/) are not reachable from here")
    for page, (code, date) in documented_pages().items():
        content = (folder / page).read_text(encoding="utf-8").replace("\\_", "_")
        assert f"{code}_At" in content, page
        day, month, year = date[8:].lstrip("0"), date[5:7], date[:4]
        assert re.search(rf"\b0?{day}/{month}/{year}\b", content), (page, date)


# --- the built `indicators` table -------------------------------------------------------------

@pytest.fixture(scope="module")
def database(hand_built_build: Path) -> Path:
    """Any real build shows the indicators table: the hand-built one (conftest), shared."""
    return hand_built_build


def test_indicators_has_one_row_per_registry_code(database: Path) -> None:
    codes = [code for (code,) in query(database, "select indicator_code from indicators order by indicator_code")]
    assert codes == registry_codes() != []


def test_indicators_carries_the_texts_of_the_seeds(
        database: Path, rows: list[tuple[dict[str, str], dict[str, str]]]) -> None:
    built = query(database, f"select {', '.join(COLUMNS)} from indicators order by indicator_code")
    assert built == sorted(tuple(text[column] for column in COLUMNS) for text, _ in rows)
    # The columns the report and earlier readers use are still there.
    missing = query(
        database,
        "select indicator_code from indicators where title_fr is null or unit is null or metadata_date is null"
        " or measure is null or multiplier is null",
    )
    assert missing == []
    volume_methods = query(
        database,
        "select count(*) from indicators where measure = 'volume'"
        " and calculation_method_fr like '%/ (Nombre de bénéficiaires / 1000). %'",
    )
    assert volume_methods == query(database, "select count(*) from indicators where measure = 'volume'")


def test_tables_and_columns_carry_comments(database: Path) -> None:
    tables = [*registry_codes(), "indicator_values", "indicators"]
    table_comments = dict(query(
        database,
        "select table_name, comment from duckdb_tables()"
        " where schema_name = 'main' and list_contains(?, table_name)",
        [tables],
    ))
    assert sorted(table_comments) == sorted(tables)
    for table, comment in table_comments.items():
        assert comment and comment.strip(), table
        assert "{{" not in comment, table
    columns = query(
        database,
        "select table_name, column_name, comment from duckdb_columns()"
        " where schema_name = 'main' and list_contains(?, table_name)",
        [tables],
    )
    assert {table for table, _, _ in columns} == set(tables)
    for table, column, comment in columns:
        assert comment and comment.strip(), (table, column)
        assert "{{" not in comment, (table, column)
