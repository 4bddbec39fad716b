"""The dbt CLI resource, pointed at the project's dbt and profiles."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from dagster_dbt import DbtCliResource

from affiliate_assets.defs.dbt.project import dbt_project


def dbt_executable() -> str:
    """The dbt installed beside this interpreter (the venv's), even when the venv is not activated."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class AffiliateDbtCliResource(DbtCliResource):
    """``DbtCliResource`` without the in-process dbt adapter.

    dagster-dbt builds a dbt adapter in the Dagster process before every command, only to serve
    ``fetch_row_counts``/``fetch_column_metadata``; that costs 1-4 s a run here. We read row counts and
    columns from the warehouse ourselves (``metadata.py``), so the adapter is never needed: a ``None``
    adapter is what dagster-dbt itself falls back to when creating one fails.
    """

    def _initialize_dbt_core_adapter(self, args: Any) -> Any:
        return None


def dbt_resource() -> AffiliateDbtCliResource:
    return AffiliateDbtCliResource(
        project_dir=dbt_project(),
        profiles_dir=str(dbt_project().profiles_dir),
        dbt_executable=dbt_executable(),
    )
