"""A database per test domain.

Tests of one domain must not see another domain's rows: a count over ``raw.hotmart_commissions`` or a
revenue total must not change because the automation tests loaded more days first, and a test that drops a
raw table must not trip over dbt views another domain built. Each ``tests/<domain>/conftest.py`` calls
:func:`domain_database` to get its own ``database_url`` / ``warehouse`` / ``resources`` fixtures (pytest keeps a
session fixture per definition, so each directory's definition gets its own database).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from affiliate_assets.lib.warehouse import Warehouse, create_database, drop_database, with_database


def fresh_database(server_url: str, tmp_path_factory: pytest.TempPathFactory, label: str) -> Iterator[str]:
    """Create ``affiliate_test_<label>_<random>``, export it as DATABASE_URL (assets built without an explicit
    URL find it) with a temp data dir, and drop it afterwards."""
    name = f"affiliate_test_{label}_{uuid.uuid4().hex[:8]}"
    create_database(server_url, name)
    url = with_database(server_url, name)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "AFFILIATE_DATA_DIR")}
    os.environ["DATABASE_URL"] = url
    # Everything a run writes outside the database (models, inboxes, archives) goes to a temp dir.
    os.environ["AFFILIATE_DATA_DIR"] = str(tmp_path_factory.mktemp(f"data_{label}"))
    try:
        yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        drop_database(server_url, name)


def domain_database(label: str):
    """Fixtures ``database_url``, ``warehouse`` and ``resources`` bound to a database of the caller's own."""

    @pytest.fixture(scope="session")
    def database_url(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        yield from fresh_database(server_url, tmp_path_factory, label)

    @pytest.fixture(scope="session")
    def warehouse(database_url: str) -> Warehouse:
        return Warehouse(database_url=database_url)

    @pytest.fixture(scope="session")
    def resources(warehouse: Warehouse) -> dict:
        from affiliate_assets.definitions import defs

        return {**defs.resources, "warehouse": warehouse}

    return database_url, warehouse, resources
