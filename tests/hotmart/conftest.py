"""Fixtures for the Hotmart tests: a fresh fake per test (faults never leak) and resources pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from isolation import domain_database

from affiliate_assets.defs.hotmart.resources import HotmartResource
from affiliate_assets.fakes.runtime import RunningFake, start_fake

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("hotmart")


@pytest.fixture
def fake() -> Iterator[RunningFake]:
    # rate_limit_reset=0: a 429 asks for no wait, so retry tests stay fast (the header is still honoured).
    running = start_fake("hotmart", rate_limit_reset=0)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def set_faults(fake: RunningFake):
    """``set_faults(fail_429=2, ...)``: queue faults on the test's fake through its control endpoint."""

    def apply(**faults) -> dict:
        resp = requests.post(f"{fake.base_url}/_fake/faults", json=faults, timeout=5)
        resp.raise_for_status()
        return resp.json()

    return apply


@pytest.fixture
def fake_stats(fake: RunningFake):
    return lambda: requests.get(f"{fake.base_url}/_fake/stats", timeout=5).json()


@pytest.fixture
def hotmart_resource(fake: RunningFake) -> HotmartResource:
    return HotmartResource(fake_base_url=fake.base_url, max_attempts=6)


@pytest.fixture
def hm_resources(resources: dict, hotmart_resource: HotmartResource) -> dict:
    return {**resources, "hotmart": hotmart_resource}
