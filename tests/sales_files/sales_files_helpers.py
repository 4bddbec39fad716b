"""Helpers shared by the sales_files tests (imported by name: tests/ is not a package)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from psycopg import sql


def age(path: Path, seconds: float = 60) -> Path:
    """Make a file look settled (the sensor skips files modified in the last seconds)."""
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def file_row(warehouse, name: str) -> dict:
    """The raw.sales_files row of the most recent file called ``name``."""
    df = warehouse.fetch_df("select * from raw.sales_files where file_name = %s order by loaded_at desc limit 1",
                            (name,))
    assert len(df) == 1, f"{name} not in raw.sales_files"
    return df.iloc[0].to_dict()


def history(warehouse, file_hash: str, *columns: str) -> list[tuple]:
    """Rows of one file in line order, the given columns only."""
    query = sql.SQL("select {} from raw.sales_history where file_hash = %s order by line_number").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)))
    return warehouse.fetchall(query, (file_hash,))
