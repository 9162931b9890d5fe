"""Where the project is, for modules that read its seeds, models or dbt_project.yml."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
