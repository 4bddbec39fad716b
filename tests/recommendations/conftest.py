"""Fixtures: a database of its own holding hand-built marts (see reco_fixtures.py), and the fake API."""

from __future__ import annotations

import pytest
from isolation import domain_database
from reco_fixtures import seed

from affiliate_assets.lib.warehouse import Warehouse

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("recommendations")


@pytest.fixture(scope="session")
def reco_warehouse(warehouse: Warehouse) -> Warehouse:
    """The domain's own database, seeded with the hand-built marts."""
    seed(warehouse)
    return warehouse


@pytest.fixture(scope="session")
def reco_resources(resources: dict, reco_warehouse: Warehouse) -> dict:
    return resources


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
