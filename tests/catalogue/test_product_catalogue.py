"""The first asset path: catalogue file → raw.product_catalogue → stg_catalogue__products → checks."""

from __future__ import annotations

import dagster as dg

from affiliate_assets.defs.catalogue.assets import product_catalogue, validate
from affiliate_assets.defs.catalogue.checks import product_catalogue_keys_and_prices
from affiliate_assets.defs.dbt.assets import dbt_models
from affiliate_assets.sample_data.catalogue import catalogue


def _materialize(resources, selection=None):
    return dg.materialize(
        [product_catalogue, product_catalogue_keys_and_prices, dbt_models],
        resources=resources,
        selection=selection,
    )


def test_catalogue_flows_from_file_to_staging(warehouse, resources):
    result = _materialize(resources)
    assert result.success
    products = catalogue()
    assert len(products) >= 60
    assert warehouse.count("raw.product_catalogue") == len(products)
    # The staging view reads the same rows, typed and renamed.
    (n, physical, price), = warehouse.fetchall(
        "select count(*), count(*) filter (where is_physical), sum(list_price) from staging.stg_catalogue__products"
    )
    assert n == len(products)
    assert physical == sum(p.is_physical for p in products)
    assert price == sum(p.price for p in products)
    # The Python check and every dbt test ran and passed.
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)
    names = {c.check_name for c in checks}
    assert {"product_catalogue_keys_and_prices", "unique_stg_catalogue__products_product_id"} <= names
    mat = next(m for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "product_catalogue"]))
    assert mat.materialization.metadata["rows_loaded"].value == len(products)


def test_rematerializing_is_idempotent(warehouse, resources):
    for _ in range(2):
        assert _materialize(resources, selection=[dg.AssetKey(["raw", "product_catalogue"])]).success
    assert warehouse.count("raw.product_catalogue") == len(catalogue())
    dupes = warehouse.fetchall("select product_id from raw.product_catalogue group by 1 having count(*) > 1")
    assert dupes == []


def test_bad_catalogue_rows_are_rejected_with_reason():
    records = [
        {"product_id": "1", "name": "Curso A", "category": "curso_online", "price": "R$ 1.234,56",
         "commission_rate": "0.5", "is_physical": "false"},
        {"product_id": "2", "name": "Curso B", "category": "curso_online", "price": "-3",
         "commission_rate": "0.5", "is_physical": "false"},
        {"product_id": "3", "name": "", "category": "ebook", "price": "10", "commission_rate": "0.5",
         "is_physical": "false"},
        {"product_id": "x", "name": "E", "category": "ebook", "price": "10", "commission_rate": "0.5",
         "is_physical": "false"},
        {"product_id": "5", "name": "F", "category": "carro", "price": "10", "commission_rate": "0.5",
         "is_physical": "false"},
    ]
    good, rejects = validate(records)
    assert [g[0] for g in good] == [1]
    assert good[0][7] == __import__("decimal").Decimal("1234.56")
    reasons = {r.key: r.reason for r in rejects}
    assert reasons["2"] == "price must be positive"
    assert reasons["3"].startswith("missing name")
    assert "unparseable" in reasons["x"]
    assert "unknown category" in reasons["5"]
    assert len(good) + len(rejects) == len(records)
