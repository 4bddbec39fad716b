"""Fixtures: a database of its own holding hand-built marts (see forecasting_fixtures.py for why)."""

from __future__ import annotations

import pytest
from forecasting_fixtures import seed_marts
from isolation import domain_database

from affiliate_assets.lib.warehouse import Warehouse

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("forecasting")


@pytest.fixture(scope="session")
def fc_warehouse(warehouse: Warehouse) -> Warehouse:
    """The domain's own database (it holds hand-built marts; see forecasting_fixtures.py)."""
    return warehouse


@pytest.fixture(scope="session")
def seeded(fc_warehouse: Warehouse) -> dict:
    return seed_marts(fc_warehouse)


@pytest.fixture(scope="session")
def fc_resources(resources: dict, fc_warehouse: Warehouse) -> dict:
    return {**resources, "warehouse": fc_warehouse}
