"""Fixtures for the dbt tests: the raw layer loaded from the bundled fakes and sample files, then the dbt
models built through Dagster in the demo's order (see dbt_helpers)."""

from __future__ import annotations

import dagster as dg
import pytest
from dbt_helpers import (
    FCT_SALES,
    FIRST_DAY,
    LAST_DAY,
    RAW_PARTITIONED,
    RAW_UNPARTITIONED,
    Materializer,
    assert_ok,
    load_price_observations,
    load_voice_orders,
    range_tags,
)
from isolation import domain_database

# This domain's own database (see tests/isolation.py).
database_url, warehouse, resources = domain_database("dbt")


@pytest.fixture(scope="session")
def materializer(defs, resources) -> Materializer:
    return Materializer(defs, resources)


@pytest.fixture(scope="session")
def raw_loaded(materializer: Materializer, warehouse) -> Materializer:
    """Every raw source with data: catalogue, Hotmart and social from their fakes over the test window,
    the sample sales files, competitor prices and voice orders (fixtures through the one loader)."""
    from affiliate_assets.defs.sales_files.demo import prepare_demo
    from affiliate_assets.lib.settings import load_settings

    prepare_demo(load_settings())
    assert_ok(materializer.run(RAW_UNPARTITIONED))
    assert_ok(materializer.run(RAW_PARTITIONED, tags=range_tags(FIRST_DAY, LAST_DAY)))
    assert load_price_observations(warehouse) > 0
    load_voice_orders(warehouse)
    return materializer


@pytest.fixture(scope="session")
def dbt_built(raw_loaded: Materializer) -> dict[str, dg.ExecuteInProcessResult]:
    """The dbt project built in the demo's order; returns each wave's result."""
    m = raw_loaded
    upstream = assert_ok(m.run(m.upstream_of_fact()))
    fact = assert_ok(m.run([FCT_SALES], tags=range_tags(FIRST_DAY, LAST_DAY)))
    rest = m.dbt_keys(partitioned=False) - m.upstream_of_fact()
    marts = assert_ok(m.run(rest))
    return {"upstream": upstream, "fact": fact, "marts": marts}
