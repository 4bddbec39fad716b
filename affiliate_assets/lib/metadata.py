"""Markdown previews for asset metadata: the one table builder every domain's previews go through.

The Dagster UI renders ``MetadataValue.md`` tables, and a preview is only useful if it survives real data:
a ``|`` or a line break inside an OCR text, a product name or a rationale would otherwise split the row or
end the table. Cells are therefore escaped here, once; numbers are right-aligned unless the caller says
otherwise, ``None`` shows as an empty cell, and long previews are cut at ``limit`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

import dagster as dg


def markdown_table(rows: Iterable[Sequence[Any]], columns: Sequence[str], limit: int | None = None, *,
                   align: str | None = None, empty: str | None = None) -> str:
    """A GitHub-flavoured markdown table of ``rows`` under ``columns`` (at most ``limit`` rows).

    ``align`` gives one letter per column, ``l`` or ``r``; without it a column is right-aligned when every
    non-empty value in it is a number. ``empty`` is returned instead of a header-only table when there are
    no rows.
    """
    body = [list(row) for row in islice(rows, limit)]
    if not body and empty is not None:
        return empty
    if align is None:
        align = "".join("r" if _numeric(row[i] for row in body) else "l" for i in range(len(columns)))
    if len(align) != len(columns) or set(align) - {"l", "r"}:
        raise ValueError(f"align needs one of 'l'/'r' per column ({len(columns)}), got {align!r}")
    lines = [_line(columns), "|" + "".join("---:|" if a == "r" else "---|" for a in align)]
    for row in body:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} cells for {len(columns)} columns: {row!r}")
        lines.append(_line(row))
    return "\n".join(lines)


def markdown_preview(rows: Iterable[Sequence[Any]], columns: Sequence[str], limit: int | None = None, *,
                     align: str | None = None, empty: str | None = None) -> dg.MetadataValue:
    """:func:`markdown_table` as a ``MetadataValue.md``, ready for a materialization's metadata."""
    return dg.MetadataValue.md(markdown_table(rows, columns, limit, align=align, empty=empty))


def _line(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(_cell(v) for v in cells) + " |"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\n", " / ")
    return text.replace("|", "\\|").strip()


def _numeric(values: Iterable[Any]) -> bool:
    present = [v for v in values if v is not None and v != ""]
    return bool(present) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present)
