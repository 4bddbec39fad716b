"""Fixtures: a database of its own holding hand-built marts (see forecasting_fixtures.py for why)."""

from __future__ import annotations

import uuid

import pytest
from forecasting_fixtures import seed_marts
from isolation import domain_database

from affiliate_assets.lib.warehouse import Warehouse, create_database, drop_database, with_database

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("forecasting")


@pytest.fixture(scope="session")
def fc_warehouse(server_url: str, database_url: str):
    """A database holding hand-built marts (``database_url`` also points the models dir at a temp dir)."""
    name = f"affiliate_test_fc_{uuid.uuid4().hex[:8]}"
    create_database(server_url, name)
    try:
        yield Warehouse(database_url=with_database(server_url, name))
    finally:
        drop_database(server_url, name)


@pytest.fixture(scope="session")
def seeded(fc_warehouse: Warehouse) -> dict:
    return seed_marts(fc_warehouse)


@pytest.fixture(scope="session")
def fc_resources(resources: dict, fc_warehouse: Warehouse) -> dict:
    return {**resources, "warehouse": fc_warehouse}
