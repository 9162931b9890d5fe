"""Publishing in two steps: write and check everything beside its destination, then move it into
place, so that a failure at any point leaves the previous publication untouched."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import atlas.publication.versions as publication_versions
from atlas.publication.checks import check_published_database
from atlas.publication.database import GATE_NOT_RUN, Publication, write_published_database
from atlas.publication.errors import PublishError
from atlas.publication.exports import write_exports
from atlas.publication.files import remove_database_file, replace_directory, temporary_path, wal_path


@dataclass
class StagedPublication:
    """A published database and exports written under temporary names, checked, not yet in place."""

    publication: Publication
    database: Path
    target_database: Path
    exports: Path | None
    target_exports: Path | None

    def commit(self) -> None:
        if wal_path(self.database).exists():
            raise PublishError(f"{self.database} still has a write-ahead log; checkpoint it before publishing")
        publication_versions.install_version(self.database, self.target_database, self.publication.publication_id)
        if self.exports is not None and self.target_exports is not None:
            replace_directory(self.exports, self.target_exports)

    def discard(self) -> None:
        remove_database_file(self.database)
        if self.exports is not None:
            shutil.rmtree(self.exports, ignore_errors=True)


def stage_publication(working: Path, published: Path, export_dir: Path | None,
                      gate: str = GATE_NOT_RUN) -> StagedPublication:
    """Write and check the published database and the exports beside their destinations.

    Nothing in place is touched: on any error the temporary files are removed and it raises.
    """
    if published.resolve() == working.resolve():
        raise PublishError("the published database must be another file than the working database")
    published.parent.mkdir(parents=True, exist_ok=True)
    staged_database = temporary_path(published, "publishing")
    staged_exports = temporary_path(export_dir, "writing") if export_dir is not None else None
    try:
        publication = write_published_database(working, staged_database, gate)
        problems = check_published_database(staged_database)
        if problems:
            raise PublishError("the published database failed its checks:\n  " + "\n  ".join(problems))
        if staged_exports is not None:
            staged_exports.parent.mkdir(parents=True, exist_ok=True)
            write_exports(staged_database, staged_exports)
    except BaseException:
        remove_database_file(staged_database)
        if staged_exports is not None:
            shutil.rmtree(staged_exports, ignore_errors=True)
        raise
    return StagedPublication(publication, staged_database, published, staged_exports, export_dir)


def publish(working: Path, published: Path, export_dir: Path | None) -> Publication:
    """Publish from a working database: stage, check, then move into place."""
    staged = stage_publication(working, published, export_dir)
    try:
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    return staged.publication
