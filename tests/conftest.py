"""Test fixtures: a real PostgreSQL database per test session, and the project's resources pointed at it.

The server is ``DATABASE_URL`` when set (CI: 127.0.0.1:5432, user postgres) or the embedded server under the
project's data dir. Each session creates its own ``affiliate_test_<random>`` database and drops it at the
end, so parallel sessions (several developers, CI) never see each other's tables.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from affiliate_assets.lib.settings import PROJECT_ROOT
from affiliate_assets.lib.warehouse import (
    Warehouse,
    create_database,
    drop_database,
    resolve_database_url,
    with_database,
)

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
    """A fresh database for this test session, exported as DATABASE_URL so assets find it."""
    name = f"affiliate_test_{uuid.uuid4().hex[:10]}"
    create_database(server_url, name)
    url = with_database(server_url, name)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "AFFILIATE_DATA_DIR")}
    os.environ["DATABASE_URL"] = url
    # Everything a run writes outside the database (models, inboxes, archives) goes to a temp dir.
    os.environ["AFFILIATE_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        drop_database(server_url, name)


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
