"""The one ``DbtProject``. Its manifest is prepared at install/CI time (``make install`` runs
``dbt parse``), never while Definitions load: parsing costs seconds and must not run per import."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dagster_dbt import DbtProject

from affiliate_assets.lib.settings import PROJECT_ROOT

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=Path("target"))
    # No prepare_if_dev(): under `dagster dev` it re-parses in every run process (seconds each, and a
    # half-saved YAML fails unrelated runs). Edit models, then `make dbt-parse`.
    return project


def manifest_path() -> Path:
    path = dbt_project().manifest_path
    if not path.exists():
        raise FileNotFoundError(
            f"dbt manifest {path} is missing: run `make install` (or `make dbt-parse`) to prepare it"
        )
    return path
