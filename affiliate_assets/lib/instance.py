"""DAGSTER_HOME and Dagster's own storage (runs, events, schedules) on the same PostgreSQL server.

``dagster.yaml`` at the project root configures dagster-postgres with ``DAGSTER_PG_URL``; this module
sets both variables for commands started by the Makefile or the ``affiliate`` CLI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from affiliate_assets.lib.settings import PROJECT_ROOT, load_settings
from affiliate_assets.lib.warehouse import (
    DAGSTER_DB,
    create_database,
    resolve_database_url,
    sqlalchemy_url,
    with_database,
)


def dagster_environment() -> dict[str, str]:
    """The variables `dagster dev`, the daemon and our CLI need: DAGSTER_HOME, DAGSTER_PG_URL, DATABASE_URL."""
    settings = load_settings()
    warehouse_url = resolve_database_url(settings)
    create_database(warehouse_url, DAGSTER_DB)
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    source = PROJECT_ROOT / "dagster.yaml"
    if source.exists() and (not target.exists() or target.read_bytes() != source.read_bytes()):
        shutil.copyfile(source, target)
    return {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": sqlalchemy_url(with_database(warehouse_url, DAGSTER_DB)),
        "DATABASE_URL": warehouse_url,
    }


def apply_dagster_environment() -> dict[str, str]:
    env = dagster_environment()
    os.environ.update(env)
    return env
