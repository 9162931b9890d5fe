"""Where the project is, for modules that read its seeds, models or dbt_project.yml."""

from collections.abc import Iterator
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def named_file_bytes(root: Path, relative_to: Path = PROJECT_DIR) -> Iterator[bytes]:
    """Each file under root (or root, a file), in a stable order: its name relative to
    relative_to, then its content. What a digest of project files is fed."""
    for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
        if path.is_file():
            yield str(path.relative_to(relative_to)).encode()
            yield path.read_bytes()
