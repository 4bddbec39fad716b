"""Fixtures: a database of its own holding hand-built marts (see reco_fixtures.py), and the fake API."""

from __future__ import annotations

import uuid

import pytest
from isolation import domain_database
from reco_fixtures import seed

from affiliate_assets.lib.warehouse import Warehouse, create_database, drop_database, with_database

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("recommendations")


@pytest.fixture(scope="session")
def reco_warehouse(server_url: str, database_url: str):
    name = f"affiliate_test_reco_{uuid.uuid4().hex[:8]}"
    create_database(server_url, name)
    try:
        warehouse = Warehouse(database_url=with_database(server_url, name))
        seed(warehouse)
        yield warehouse
    finally:
        drop_database(server_url, name)


@pytest.fixture(scope="session")
def reco_resources(resources: dict, reco_warehouse: Warehouse) -> dict:
    return {**resources, "warehouse": reco_warehouse}


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch):
    """A fresh fake Messages API; the environment points the asset at it in LLM mode, with no key."""
    from affiliate_assets.fakes.runtime import start_fake

    fake = start_fake("anthropic")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
    monkeypatch.setenv("RECO_MODE", "llm")
    yield fake
    fake.stop()
