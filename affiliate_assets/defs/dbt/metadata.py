"""Row counts and column schemas of the relations a dbt run built, read from the warehouse itself.

dagster-dbt can fetch these (``fetch_row_counts``/``fetch_column_metadata``), but it addresses relations by
the database name written into the manifest when it was prepared (``dbt parse`` at install time), and
PostgreSQL refuses cross-database references: any run against a database with another name (a test
database, a warehouse called something else) loses the metadata. Asset keys mirror relations
(``marts/fct_sales`` ↔ ``marts.fct_sales``), so we read them on the run's own connection instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import dagster as dg
from psycopg import sql

from affiliate_assets.lib.warehouse import Warehouse

COLUMNS_SQL = """
select a.attname, format_type(a.atttypid, a.atttypmod), col_description(a.attrelid, a.attnum), c.relkind
from pg_attribute a
join pg_class c on c.oid = a.attrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped
order by a.attnum
"""


def relation_metadata(warehouse: Warehouse, schema: str, name: str) -> dict[str, Any]:
    """``dagster/column_schema`` for any relation and ``dagster/row_count`` for tables.

    Views are not counted: counting a view runs its whole query (seconds over a million sales) to report a
    number that changes with its sources anyway."""
    with warehouse.connect() as conn:
        rows = conn.execute(COLUMNS_SQL, (schema, name)).fetchall()
        if not rows:
            return {}
        schema_md = dg.TableSchema(columns=[dg.TableColumn(n, t, description=d) for n, t, d, _ in rows])
        metadata: dict[str, Any] = {"dagster/column_schema": schema_md}
        if rows[0][3] in ("r", "p", "m"):
            count = conn.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(schema, name))).fetchone()
            metadata["dagster/row_count"] = count[0]  # type: ignore[index]
        return metadata


def with_relation_metadata(
    context: dg.AssetExecutionContext, warehouse: Warehouse, events: Iterable[Any]
) -> Iterator[Any]:
    """Pass dbt's events through, adding the built relation's row count and columns to each Output."""
    for event in events:
        if isinstance(event, dg.Output):
            key = context.asset_key_for_output(event.output_name)
            if len(key.path) == 2:
                extra = relation_metadata(warehouse, key.path[0], key.path[1])
                if extra:
                    event = event.with_metadata({**event.metadata, **extra})
        yield event
