"""Stream a window of Hotmart data from the API into the warehouse: shared by the assets and the benchmark.

The window is walked in slices of whole UTC days: for each slice the buyer details of ``/sales/users`` (phone,
address, affiliate) are read into a dict keyed by transaction, then ``/sales/history`` is streamed and
joined to it. Memory holds one slice of buyer details, never the window (``slice_days`` trades
requests for memory: every slice costs two requests per status even when empty); rows go straight into the COPY
of :meth:`Warehouse.load` (a generator), so a failure mid-window (e.g. a truncated page) rolls the whole
load back and leaves the previous data of the window untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta

from affiliate_assets.defs.hotmart.client import ALL_STATUSES, PAID_STATUSES, HotmartClient
from affiliate_assets.defs.hotmart.rows import (
    BuyerInfo,
    RowError,
    buyer_info,
    commission_rows,
    product_row,
    sale_row,
)
from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_PRODUCTS, HOTMART_SALES
from affiliate_assets.lib import pii
from affiliate_assets.lib.warehouse import LoadResult, Reject, Warehouse

DAY = timedelta(days=1)


def day_slices(start: datetime, end: datetime, days: int = 1) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) cut every ``days`` UTC midnights (the first slice ends at the next midnight)."""
    cursor = start
    while cursor < end:
        nxt = min(end, (cursor + DAY * days).replace(hour=0, minute=0, second=0, microsecond=0))
        yield cursor, nxt
        cursor = nxt


def redact_sale(item: dict, salt: str) -> dict:
    """A copy of a sales item safe to keep in ``raw.rejects``: buyer PII replaced by its hashes."""
    safe = copy.deepcopy(item)
    buyer = safe.get("buyer")
    if isinstance(buyer, dict):
        for key in ("name", "email"):
            if buyer.get(key):
                buyer[key] = "sha256:" + (pii.hash_email(str(buyer[key]), salt) or "")
    return safe


def sale_rows(client: HotmartClient, start: datetime, end: datetime, *, salt: str, rejects: list[Reject],
              statuses: tuple[str, ...] = ALL_STATUSES, slice_days: int = 1) -> Iterator[tuple]:
    """Rows of ``raw.hotmart_sales`` for ``[start, end)``; items that fail validation go to ``rejects``."""
    for day_start, day_end in day_slices(start, end, slice_days):
        details: dict[str, BuyerInfo] = {}
        for item in client.sales("users", day_start, day_end, statuses):
            transaction, info = buyer_info(item)
            if transaction:
                details[transaction] = info
        for item in client.sales("history", day_start, day_end, statuses):
            purchase = item.get("purchase") or {}
            try:
                yield sale_row(item, details.get(purchase.get("transaction")), salt, (day_start, day_end))
            except RowError as exc:
                rejects.append(Reject(purchase.get("transaction"), str(exc), redact_sale(item, salt)))


def commission_rows_for(client: HotmartClient, start: datetime, end: datetime, *,
                        rejects: list[Reject]) -> Iterator[tuple]:
    """Rows of ``raw.hotmart_commissions`` for ``[start, end)``, tagged with the day they were asked for."""
    for day_start, day_end in day_slices(start, end):
        for item in client.sales("commissions", day_start, day_end, PAID_STATUSES):
            rows, bad = commission_rows(item, day_start.date())
            rejects.extend(bad)
            yield from rows


def load_sales(warehouse: Warehouse, client: HotmartClient, start: datetime, end: datetime, *, salt: str,
               batch: str, statuses: tuple[str, ...] = ALL_STATUSES, slice_days: int = 1) -> LoadResult:
    """Replace the sales of ``[start, end)`` with what the API returns now (one transaction)."""
    rejects: list[Reject] = []
    rows = sale_rows(client, start, end, salt=salt, rejects=rejects, statuses=statuses, slice_days=slice_days)
    return warehouse.load(
        HOTMART_SALES, rows,
        mode="replace_window", window_column="order_date", window=(start, end),
        rejects=rejects, reject_source=HOTMART_SALES.qualified, reject_batch=batch,
    )


def load_commissions(warehouse: Warehouse, client: HotmartClient, start: datetime, end: datetime, *,
                     batch: str) -> LoadResult:
    rejects: list[Reject] = []
    return warehouse.load(
        HOTMART_COMMISSIONS, commission_rows_for(client, start, end, rejects=rejects),
        mode="replace_window", window_column="sale_date", window=(start.date(), end.date()),
        rejects=rejects, reject_source=HOTMART_COMMISSIONS.qualified, reject_batch=batch,
    )


def load_products(warehouse: Warehouse, client: HotmartClient) -> LoadResult:
    rows: list[tuple] = []
    rejects: list[Reject] = []
    for item in client.products():
        try:
            rows.append(product_row(item))
        except RowError as exc:
            rejects.append(Reject(str(item.get("id")), str(exc), item))
    if not rows:
        raise RuntimeError("Hotmart returned no products: refusing to empty raw.hotmart_products")
    return warehouse.load(HOTMART_PRODUCTS, rows, mode="replace", rejects=rejects,
                          reject_source=HOTMART_PRODUCTS.qualified, reject_batch="products")
