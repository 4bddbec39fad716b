"""Test fixtures: a real PostgreSQL database per test session, and the project's resources pointed at it.

The server is ``DATABASE_URL`` when set (CI: 127.0.0.1:5432, user postgres) or the embedded server under the
project's data dir. Each test domain (``tests/<domain>/``) gets its own ``affiliate_test_<domain>_<random>`` database,
dropped at the end, so domains and parallel sessions (several developers, CI) never see each other's tables.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from affiliate_assets.lib.settings import PROJECT_ROOT
from affiliate_assets.lib.warehouse import Warehouse, resolve_database_url

sys.path.insert(0, str(Path(__file__).parent))
from isolation import fresh_database

DBT_DIR = PROJECT_ROOT / "dbt_project"


def _manifest_is_stale() -> bool:
    manifest = DBT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_DIR / "dbt_project.yml", *DBT_DIR.glob("models/**/*"), *DBT_DIR.glob("macros/**/*"),
               *DBT_DIR.glob("tests/**/*"), *DBT_DIR.glob("seeds/**/*")]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Prepare the dbt manifest once if a model changed since it was built (CI prepares it at install)."""
    if _manifest_is_stale():
        dbt = Path(sys.executable).parent / "dbt"
        subprocess.run([str(dbt), "parse", "--quiet", "--profiles-dir", str(DBT_DIR)], cwd=DBT_DIR, check=True)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A URL of the PostgreSQL server the tests use (any database on it)."""
    return os.environ.get("DATABASE_URL") or resolve_database_url()


@pytest.fixture(scope="session")
def database_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for tests outside a domain folder (domains get their own: see isolation.py)."""
    yield from fresh_database(server_url, tmp_path_factory, "root")


@pytest.fixture(scope="session")
def warehouse(database_url: str) -> Warehouse:
    return Warehouse(database_url=database_url)


@pytest.fixture(scope="session")
def resources(warehouse: Warehouse) -> dict:
    """The code location's resources with the warehouse pointed at the test database."""
    from affiliate_assets.definitions import defs

    return {**defs.resources, "warehouse": warehouse}


@pytest.fixture(scope="session")
def defs():
    from affiliate_assets.definitions import defs as definitions

    return definitions
