"""The README a newcomer reads in ten minutes, and the docs/ pages it links to (no dbt, no build).

- README.md stays short, and its table of contents matches its headings;
- its "Project layout" is accurate: every path it names exists, and it names every top-level entry
  of the repository, every folder under models/, every command in scripts/ and every subpackage
  and module directly under scripts/atlas/;
- every relative link in README.md and docs/*.md reaches an existing file (and heading);
- nothing points at files a user of the project does not have (../shared/...).
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
README = PROJECT_DIR / "README.md"
DOCS = sorted((PROJECT_DIR / "docs").glob("*.md"))
MAX_README_BYTES = 12_000

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# A backticked token in the layout naming a file of the repository: a path, or a top-level name.
PATH_SUFFIXES = (".py", ".sh", ".yml", ".yaml", ".toml", ".ini", ".txt", ".md", ".csv", ".sql")


def prose_lines(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()  # a link keeps its text
    kept = "".join(char for char in text
                   if char in " -_" or unicodedata.category(char)[0] in "LN")
    return kept.replace(" ", "-")


def headings(text: str) -> list[tuple[int, str]]:
    """(level, title) of every heading outside code blocks."""
    found = []
    for line in prose_lines(text):
        match = HEADING.match(line)
        if match:
            found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(text: str) -> set[str]:
    """Every heading anchor of a Markdown text, with GitHub's -1, -2 ... for repeated headings."""
    seen: dict[str, int] = {}
    result = set()
    for _, title in headings(text):
        base = slug(title)
        count = seen.get(base, 0)
        result.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return result


def section(text: str, title: str) -> str:
    """The lines under the level-2 heading `title`, up to the next level-2 heading."""
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            inside = line[3:].strip() == title
            continue
        if inside:
            lines.append(line)
    assert lines, f'README.md has no section "## {title}"'
    return "\n".join(lines)


def tracked_files() -> list[str]:
    try:
        result = subprocess.run(["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True,
                                check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [line for line in result.stdout.splitlines() if line]


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


# --- size and table of contents -------------------------------------------------------------

def test_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size < MAX_README_BYTES, (
        f"README.md is {size:,} bytes (limit {MAX_README_BYTES:,}): move detail to docs/ and link it")


def test_table_of_contents_matches_the_headings() -> None:
    lines = prose_lines(readme_text())
    first_section = next(i for i, line in enumerate(lines) if line.startswith("## "))
    contents = [re.match(r"^\s*[-*]\s+\[([^\]]+)\]\(#([^)]+)\)\s*$", line) for line in lines[:first_section]]
    toc = [(match.group(1), match.group(2)) for match in contents if match]
    assert toc, "README.md has no table of contents (a list of [title](#anchor) before the first ## heading)"
    sections = [title for level, title in headings(readme_text()) if level == 2]
    assert [title for title, _ in toc] == sections, "the table of contents lists other headings, or another order"
    assert [anchor for _, anchor in toc] == [slug(title) for title in sections]


# --- the project layout ---------------------------------------------------------------------

def layout_paths() -> set[str]:
    """The repository paths the layout section names (folders without their trailing slash)."""
    named = set()
    for token in CODE_SPAN.findall(section(readme_text(), "Project layout")):
        token = token.strip()
        is_path = ("/" in token or token.startswith(".") or token.endswith(PATH_SUFFIXES)) and " " not in token
        if is_path and "://" not in token:
            named.add(token.rstrip("/"))
    return named


def test_every_path_the_layout_names_exists() -> None:
    files = tracked_files()
    missing = []
    for name in sorted(layout_paths()):
        if any(char in name for char in "*?["):
            if not fnmatch.filter(files, name):
                missing.append(name)
        elif not (PROJECT_DIR / name).exists():
            missing.append(name)
    assert not missing, f"the layout names paths that do not exist: {missing}"


def required_layout_entries(files: list[str]) -> set[str]:
    required = {path.split("/", 1)[0] for path in files}
    for path in files:
        parts = path.split("/")
        if parts[0] == "models":
            required.update("/".join(parts[:depth]) for depth in range(2, len(parts)))
        if parts[0] == "scripts" and len(parts) == 2 and path.endswith((".sh", ".py")):
            required.add(path)
        if parts[:2] == ["scripts", "atlas"] and len(parts) >= 3 and parts[2] != "__init__.py":
            entry = "/".join(parts[:3])
            if len(parts) > 3 or entry.endswith(".py"):
                required.add(entry)
    return required


def test_the_layout_names_every_entry_folder_command_and_package() -> None:
    files = tracked_files()
    unnamed = sorted(required_layout_entries(files) - layout_paths())
    assert not unnamed, f'README "Project layout" does not name: {unnamed}'


# --- links and outside references -------------------------------------------------------------

@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda page: str(page.relative_to(PROJECT_DIR)))
def test_every_relative_link_reaches_a_file_and_heading(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    broken = []
    for line in prose_lines(text):
        for target in LINK.findall(line):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            path_part, _, fragment = target.partition("#")
            destination = (page.parent / path_part).resolve() if path_part else page
            if PROJECT_DIR not in destination.parents and destination != PROJECT_DIR:
                broken.append(f"{target} (outside the repository)")
            elif not destination.exists():
                broken.append(f"{target} (no such file)")
            elif fragment and destination.suffix == ".md":
                if fragment not in anchors(destination.read_text(encoding="utf-8")):
                    broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.name}: broken links: {broken}"


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda page: str(page.relative_to(PROJECT_DIR)))
def test_nothing_points_outside_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for outside in ("../shared", "shared/indicator-metadata", "shared/domain-notes"):
        assert outside not in text, f"{page.name} points at {outside}, which users of the project do not have"


def test_the_slug_follows_github() -> None:
    assert slug("Memory, threads and spilling") == "memory-threads-and-spilling"
    assert slug("D1-D4: disagreements between the reference and the models") == (
        "d1-d4-disagreements-between-the-reference-and-the-models")
    assert slug("Medical-house patients (`stat_003_007`, `004_8d91214ad1f19a7e.txt`)") == (
        "medical-house-patients-stat_003_007-004_8d91214ad1f19a7etxt")
    assert slug("Family 1: medical imaging, share (odd codes `…_013_001`)") == (
        "family-1-medical-imaging-share-odd-codes-_013_001")
