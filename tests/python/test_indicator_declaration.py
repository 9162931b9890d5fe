"""One declaration per indicator (README "Adding an indicator"): a registry row and its descriptions row.

scripts/generate_indicator_models.py writes everything else dbt needs from seeds/indicator_registry.csv.
The tests check that the repository's generated files are up to date, that --check names what is stale
and writes nothing, that the generator follows the registry both ways (a new row, a removed row) and
leaves a hand-written model alone; then they follow the README on a copy of the project with a made-up
code, NEW_CODE, which copies TWIN's registry row: the build, the publication and the report must have
it, its cells those of TWIN (same variable, measure and breakdown).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from conftest import PROJECT_DIR, SYNTHETIC_YEARS, dbt_build, dbt_command, generate_synthetic, query, registry_codes

GENERATOR = PROJECT_DIR / "scripts" / "generate_indicator_models.py"
TABLES_DIR = Path("models") / "marts" / "indicator_tables"
MODELS_YAML = TABLES_DIR / "_indicator_tables__models.yml"
EXPOSURES_YAML = Path("models") / "marts" / "_marts__exposures.yml"
NEW_CODE = "cube_099_001"
NEW_TITLE = "Essai CT-scan (indicateur fictif)"
TWIN = "cube_013_013"  # CT-scan: IMAG_CT_N, patients, by 10-year age band, down to the commune, from 2015
REMOVED = "stat_013_026"


def copy_project(target: Path) -> Path:
    """What dbt reads of the project: its two YAML files, models, macros, seeds and singular tests."""
    target.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT_DIR / name, target / name)
    for name in ("models", "macros", "seeds"):
        shutil.copytree(PROJECT_DIR / name, target / name)
    (target / "tests").mkdir()
    for path in (PROJECT_DIR / "tests").glob("*.sql"):
        shutil.copy2(path, target / "tests" / path.name)
    return target


def generate(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(GENERATOR), "--project-dir", str(project_dir), *args],
                          capture_output=True, text=True, check=False)


def add_row_like(seed: Path, twin: str, **values: str) -> dict[str, str]:
    """Append to a seed a copy of twin's row with some values replaced, whatever its columns; return it."""
    with seed.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        row = {**next(row for row in reader if row["indicator_code"] == twin), **values}
        fieldnames = list(reader.fieldnames or [])
    with seed.open("a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames, lineterminator="\n").writerow(row)
    return row


def add_indicator(project_dir: Path) -> None:
    """README "Adding an indicator": the registry row and the descriptions row."""
    add_row_like(project_dir / "seeds" / "indicator_registry.csv", TWIN, indicator_code=NEW_CODE, title_fr=NEW_TITLE)
    add_row_like(project_dir / "seeds" / "indicator_descriptions.csv", TWIN, indicator_code=NEW_CODE)


def remove_registry_row(project_dir: Path, code: str) -> None:
    registry = project_dir / "seeds" / "indicator_registry.csv"
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    registry.write_text("".join(line for line in lines if not line.startswith(f"{code},")), encoding="utf-8")


def snapshot(project_dir: Path) -> dict[str, bytes]:
    return {str(path.relative_to(project_dir)): path.read_bytes()
            for path in sorted((project_dir / "models").rglob("*")) if path.is_file()}


def descriptions(project_dir: Path) -> dict[str, str]:
    models = yaml.safe_load((project_dir / MODELS_YAML).read_text(encoding="utf-8"))["models"]
    return {model["name"]: model["description"] for model in models}


def depends_on(project_dir: Path) -> list[str]:
    exposures = yaml.safe_load((project_dir / EXPOSURES_YAML).read_text(encoding="utf-8"))["exposures"]
    return next(exposure["depends_on"] for exposure in exposures if exposure["name"] == "indicator_report")


# --- the generator ---------------------------------------------------------------------------

def test_help() -> None:
    result = subprocess.run([sys.executable, str(GENERATOR), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "--check" in result.stdout and "--project-dir" in result.stdout


def test_the_generated_files_of_the_repository_are_up_to_date() -> None:
    result = generate(PROJECT_DIR, "--check")
    assert result.returncode == 0, "run python scripts/generate_indicator_models.py:\n" + result.stderr
    models = sorted(path.stem for path in (PROJECT_DIR / TABLES_DIR).glob("*.sql"))
    assert models == registry_codes()


@pytest.fixture()
def changed_registry(tmp_path: Path) -> Path:
    """A copy of the project whose registry gained NEW_CODE and lost REMOVED."""
    project = copy_project(tmp_path / "project")
    add_indicator(project)
    remove_registry_row(project, REMOVED)
    return project


def test_check_names_the_stale_files_and_writes_nothing(changed_registry: Path) -> None:
    before = snapshot(changed_registry)
    result = generate(changed_registry, "--check")
    assert result.returncode == 1
    stale = sorted(line.split("stale: ")[1].split(" ")[0] for line in result.stderr.splitlines() if "stale: " in line)
    assert stale == sorted(str(path) for path in (TABLES_DIR / f"{NEW_CODE}.sql", TABLES_DIR / f"{REMOVED}.sql",
                                                   MODELS_YAML, EXPOSURES_YAML))
    assert snapshot(changed_registry) == before


def test_the_generator_follows_the_registry(changed_registry: Path) -> None:
    before = snapshot(changed_registry)
    result = generate(changed_registry)
    assert result.returncode == 0, result.stderr
    after = snapshot(changed_registry)
    # the new model is its twin's one line; the removed code's model is gone; nothing else moved
    assert after[str(TABLES_DIR / f"{NEW_CODE}.sql")] == after[str(TABLES_DIR / f"{TWIN}.sql")]
    assert str(TABLES_DIR / f"{REMOVED}.sql") not in after
    assert {name for name in before if before[name] != after.get(name)} == {
        str(TABLES_DIR / f"{REMOVED}.sql"), str(MODELS_YAML), str(EXPOSURES_YAML)}
    # its description: the template's, from its own registry row (the twin's but for the title)
    codes = registry_codes(changed_registry)
    described = descriptions(changed_registry)
    assert sorted(described) == codes
    old_descriptions = descriptions(PROJECT_DIR)
    assert described == {**{code: old_descriptions[code] for code in codes if code != NEW_CODE},
                         NEW_CODE: NEW_TITLE + old_descriptions[TWIN].removeprefix("CT-scan")}
    # the exposure: every table, and the rest of the file as it was
    assert depends_on(changed_registry) == ["ref('indicators')", "ref('indicator_values')",
                                            *(f"ref('{code}')" for code in codes)]
    old, new = (yaml.safe_load(text) for text in (before[str(EXPOSURES_YAML)], after[str(EXPOSURES_YAML)]))
    for exposures in (old, new):
        exposures["exposures"][0].pop("depends_on")
    assert old == new
    # and then it is up to date: --check passes and a second run writes nothing
    assert generate(changed_registry, "--check").returncode == 0
    mtimes = {path: path.stat().st_mtime_ns for path in (changed_registry / "models").rglob("*")}
    assert "up to date" in generate(changed_registry).stdout
    assert {path: path.stat().st_mtime_ns for path in (changed_registry / "models").rglob("*")} == mtimes


def test_a_hand_written_model_is_left_alone(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / TABLES_DIR / "my_table.sql").write_text("select 1 as one\n", encoding="utf-8")
    before = snapshot(project)
    for args in ((), ("--check",)):
        result = generate(project, *args)
        assert result.returncode == 2 and "my_table.sql" in result.stderr, result.stderr
        assert snapshot(project) == before


# --- README "Adding an indicator", followed on a copy of the project --------------------------

def test_the_readme_says_what_this_test_does() -> None:
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Adding an indicator\n", 1)[1].split("\n## ", 1)[0]
    for step in ("seeds/indicator_registry.csv", "seeds/indicator_descriptions.csv", "bash scripts/run.sh",
                 "scripts/generate_indicator_models.py", "--check", "tests/python/test_indicator_declaration.py"):
        assert step in section, step


@pytest.mark.own_build
def test_adding_an_indicator_as_the_readme_says(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    add_indicator(project)
    raw_dir, database = tmp_path / "raw", tmp_path / "atlas.duckdb"
    generate_synthetic(raw_dir, 4000, SYNTHETIC_YEARS[0], SYNTHETIC_YEARS[1], seed=7)

    # dbt alone, the generator not run: the singular test names the registry row without a model
    assert dbt_command(["seed", "--select", "indicator_registry"], raw_dir, database,
                       project_dir=project).returncode == 0
    result = dbt_command(["test", "--select", "registry_rows_match_indicator_models"], raw_dir, database,
                         project_dir=project)
    assert result.returncode != 0 and "registry_rows_match_indicator_models" in result.stdout, result.stdout[-3000:]

    # the generator (which the run command runs before its build), then the build
    assert generate(project).returncode == 0
    dbt_build(raw_dir, database, project_dir=project)
    table = "select * exclude (indicator_code) from main.{} order by all"
    new_rows = query(database, table.format(NEW_CODE))
    assert new_rows and new_rows == query(database, table.format(TWIN))
    assert query(database, "select count(*) from main.indicator_values where indicator_code = ?", [NEW_CODE]) \
        == [(len(new_rows),)]
    assert query(database, "select title_fr, description_fr from main.indicators where indicator_code = ?",
                 [NEW_CODE]) == [(NEW_TITLE, query(database, "select description_fr from main.indicators"
                                                             " where indicator_code = ?", [TWIN])[0][0])]
    comment = query(database, "select comment from duckdb_tables() where table_name = ?", [NEW_CODE])[0][0]
    assert comment.startswith(f"{NEW_TITLE}: % of beneficiaries")

    # published (the allow-list is the registry) and in the report (its index is `indicators`)
    published = tmp_path / "published" / "atlas_published.duckdb"
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "publish_database.py"), "--database",
                             str(database), "--published-database", str(published), "--no-exports"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute(f"select count(*) from {NEW_CODE}").fetchall() == [(len(new_rows),)]
        assert connection.execute("select count(*) from publication where table_name = ?", [NEW_CODE]).fetchall() \
            == [(1,)]
    report = tmp_path / "report"
    result = subprocess.run([sys.executable, str(PROJECT_DIR / "scripts" / "build_report.py"), "--database",
                             str(published), "--out-dir", str(report)],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (report / f"{NEW_CODE}.html").is_file()
    assert f'href="{NEW_CODE}.html"' in (report / "index.html").read_text(encoding="utf-8")
