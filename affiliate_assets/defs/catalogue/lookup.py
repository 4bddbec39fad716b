"""The catalogue other domains match against: the loaded ``raw.product_catalogue``, else the bundled sample.

Screenshots, social posts and voice notes all name products in free text and need the product list to
match them. Before the catalogue asset has run (a fresh install, a test, a partial demo) the table is
missing or empty; matching against the bundled sample then is better than matching nothing, and the
caller reports which source it used. Kept free of heavy imports: callers run inside asset bodies.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import sql

from affiliate_assets.defs.catalogue.tables import PRODUCT_CATALOGUE
from affiliate_assets.lib.warehouse import Warehouse

LIVE_SOURCE = PRODUCT_CATALOGUE.qualified
BUNDLED_SOURCE = "bundled sample catalogue"


def catalogue_rows(warehouse: Warehouse, columns: Sequence[str]) -> tuple[list[tuple], str]:
    """``(rows, source)``: the chosen catalogue columns for every product, ordered by ``product_id``.

    Rows come from ``raw.product_catalogue`` when it exists and has rows, else from the bundled sample
    (whose attributes carry the table's column names). ``product_id`` values are always ``int``.
    """
    unknown = [c for c in columns if c not in PRODUCT_CATALOGUE.column_names]
    if unknown:
        raise ValueError(f"not catalogue columns: {unknown}")
    if warehouse.table_exists(LIVE_SOURCE):
        query = sql.SQL("select {cols} from {table} order by product_id").format(
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)), table=PRODUCT_CATALOGUE.ident)
        rows = warehouse.fetchall(query)
        if rows:
            return [_typed(columns, row) for row in rows], LIVE_SOURCE
    from affiliate_assets.sample_data.catalogue import catalogue

    products = sorted(catalogue(), key=lambda p: p.product_id)
    return [_typed(columns, tuple(getattr(p, c) for c in columns)) for p in products], BUNDLED_SOURCE


def _typed(columns: Sequence[str], row: tuple) -> tuple:
    return tuple(int(v) if c == "product_id" and v is not None else v for c, v in zip(columns, row, strict=True))
