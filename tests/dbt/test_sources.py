"""A raw table nobody has loaded yet never breaks the dbt build of the rest (sources.py), on a real database."""

from __future__ import annotations

import uuid

from psycopg import sql

from affiliate_assets.defs.dbt.sources import declared_tables, prepare_sources, unbuilt_partitioned_models


def source_node(source: str, table: str, schema: str = "raw") -> dict:
    return {"source_name": source, "name": table, "schema": schema, "identifier": table}


def test_missing_declared_tables_are_created_empty_and_undeclared_ones_excluded(warehouse):
    assert "raw.voice_orders" in declared_tables()  # every domain's tables.py / *_tables.py is found
    saved = f"voice_orders_saved_{uuid.uuid4().hex[:8]}"
    warehouse.ensure_table(declared_tables()["raw.voice_orders"])
    with warehouse.connect() as conn:  # set the real table (and its rows) aside for the test
        conn.execute(sql.SQL("alter table raw.voice_orders rename to {}").format(sql.Identifier(saved)))
    try:
        check_missing_tables(warehouse)
    finally:
        with warehouse.connect() as conn:
            conn.execute("drop table if exists raw.voice_orders")
            conn.execute(sql.SQL("alter table {} rename to voice_orders").format(sql.Identifier("raw", saved)))


def check_missing_tables(warehouse) -> None:
    ghost = f"ghost_{uuid.uuid4().hex[:8]}"
    manifest = {"sources": {
        "source.affiliate.voice.voice_orders": source_node("voice", "voice_orders"),
        f"source.affiliate.nowhere.{ghost}": source_node("nowhere", ghost),
    }}
    excludes = prepare_sources(warehouse, manifest)
    assert excludes == [f"source:nowhere.{ghost}+"]
    assert warehouse.table_exists("raw.voice_orders") and warehouse.count("raw.voice_orders") == 0
    columns = {c for (c,) in warehouse.fetchall(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw' and table_name = 'voice_orders'")}
    assert {"order_id", "status", "loaded_at"} <= columns  # created from its TableSpec, not guessed
    assert prepare_sources(warehouse, manifest) == excludes  # idempotent


def test_marts_wait_for_an_unbuilt_partitioned_model(warehouse):
    name = f"fct_{uuid.uuid4().hex[:8]}"
    manifest = {"nodes": {
        f"model.affiliate.{name}": {"unique_id": f"model.affiliate.{name}", "resource_type": "model",
                                    "schema": "marts", "name": name, "alias": name, "tags": ["partitioned"]},
        "model.affiliate.dim_x": {"unique_id": "model.affiliate.dim_x", "resource_type": "model",
                                  "schema": "marts", "name": "dim_x", "alias": "dim_x", "tags": []},
    }}
    assert unbuilt_partitioned_models(warehouse, manifest, "partitioned") == [f"{name}+"]
    table = sql.Identifier("marts", name)
    with warehouse.connect() as conn:
        conn.execute(sql.SQL("create table {} (id int)").format(table))
    try:
        assert unbuilt_partitioned_models(warehouse, manifest, "partitioned") == []
    finally:
        with warehouse.connect() as conn:
            conn.execute(sql.SQL("drop table {}").format(table))
