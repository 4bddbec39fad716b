"""The catalogue other domains match against: the loaded table when it has rows, else the bundled sample."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from affiliate_assets.defs.catalogue.lookup import BUNDLED_SOURCE, LIVE_SOURCE, catalogue_rows
from affiliate_assets.defs.catalogue.tables import PRODUCT_CATALOGUE
from affiliate_assets.lib.warehouse import Warehouse, create_database, drop_database, with_database
from affiliate_assets.sample_data.catalogue import catalogue


@pytest.fixture
def empty_warehouse(server_url):
    """A database of its own: the session database may already hold a loaded catalogue."""
    name = f"affiliate_lookup_{uuid.uuid4().hex[:8]}"
    create_database(server_url, name)
    try:
        yield Warehouse(database_url=with_database(server_url, name))
    finally:
        drop_database(server_url, name)


def _row(product_id: int, name: str, hashtag: str | None = None) -> tuple:
    values = {c: None for c in PRODUCT_CATALOGUE.column_names}
    values.update(product_id=product_id, name=name, category="fisico", price=Decimal("99.90"),
                  commission_rate=Decimal("0.1"), is_physical=True, hashtag=hashtag)
    return tuple(values[c] for c in PRODUCT_CATALOGUE.column_names)


def test_without_a_catalogue_table_the_bundled_sample_answers_in_id_order(empty_warehouse):
    rows, source = catalogue_rows(empty_warehouse, ("product_id", "name", "hashtag"))
    bundled = sorted(catalogue(), key=lambda p: p.product_id)
    assert source == BUNDLED_SOURCE
    assert rows == [(p.product_id, p.name, p.hashtag) for p in bundled]
    assert all(isinstance(pid, int) for pid, _, _ in rows)


def test_an_empty_catalogue_table_still_falls_back(empty_warehouse):
    empty_warehouse.ensure_table(PRODUCT_CATALOGUE)
    rows, source = catalogue_rows(empty_warehouse, ("product_id", "name"))
    assert source == BUNDLED_SOURCE and len(rows) == len(catalogue())


def test_a_loaded_catalogue_wins_over_the_sample_and_keeps_its_own_products(empty_warehouse):
    empty_warehouse.load(PRODUCT_CATALOGUE, [_row(900002, "Fone Bluetooth Ágil", "#fone"),
                                             _row(900001, "Caderno Inteligente")], mode="replace")
    rows, source = catalogue_rows(empty_warehouse, ("product_id", "name", "hashtag", "price"))
    assert source == LIVE_SOURCE == "raw.product_catalogue"
    assert rows == [(900001, "Caderno Inteligente", None, Decimal("99.90")),
                    (900002, "Fone Bluetooth Ágil", "#fone", Decimal("99.90"))]


def test_a_column_the_table_does_not_have_is_refused(empty_warehouse):
    with pytest.raises(ValueError, match="slug"):
        catalogue_rows(empty_warehouse, ("product_id", "slug"))
