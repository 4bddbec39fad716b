"""Stream a window of Hotmart data from the API into the warehouse: shared by the assets and the benchmark.

The window is walked in slices of whole UTC days. For each slice the buyer details of ``/sales/users``
(phone, address, affiliate) are read into a dict keyed by transaction, then ``/sales/history`` is streamed
and joined to it. All the slice x endpoint x status streams are read by the client's few fetch threads in
order (:meth:`HotmartClient.stream_pages`), so the next pages are on their way while this thread maps the
current one. Memory holds one slice of buyer details and a few pages per fetch thread, never the window
(``slice_days`` trades requests for memory: every slice costs two requests per status even when empty).
Rows go straight into the COPY of :meth:`Warehouse.load` (a generator), so a failure mid-window (e.g. a
truncated page) rolls the whole load back and leaves the previous data of the window untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import msgspec

from affiliate_assets.defs.hotmart.client import ALL_STATUSES, PAID_STATUSES, HotmartClient, Stream
from affiliate_assets.defs.hotmart.items import BadItem
from affiliate_assets.defs.hotmart.rows import (
    BuyerInfo,
    PiiHasher,
    RowError,
    Window,
    buyer_info,
    commission_rows,
    product_row,
    sale_row,
)
from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_PRODUCTS, HOTMART_SALES
from affiliate_assets.lib.warehouse import LoadResult, Reject, Warehouse

DAY = timedelta(days=1)


def day_slices(start: datetime, end: datetime, days: int = 1) -> Iterator[tuple[datetime, datetime]]:
    """[start, end) cut every ``days`` UTC midnights (the first slice ends at the next midnight)."""
    cursor = start
    while cursor < end:
        nxt = min(end, (cursor + DAY * days).replace(hour=0, minute=0, second=0, microsecond=0))
        yield cursor, nxt
        cursor = nxt


def redact_sale(item: Any, hasher: PiiHasher) -> Any:
    """A plain copy of a sales item safe to keep in ``raw.rejects``: buyer PII replaced by its hashes."""
    safe = msgspec.to_builtins(item) if isinstance(item, msgspec.Struct) else copy.deepcopy(item)
    buyer = safe.get("buyer") if isinstance(safe, dict) else None
    if isinstance(buyer, dict):
        for key in ("name", "email"):
            if buyer.get(key):
                buyer[key] = "sha256:" + (hasher.email(buyer[key]) or "")
    return safe


def _transaction(item: Any) -> str | None:
    if isinstance(item, BadItem):
        purchase = item.raw.get("purchase") if isinstance(item.raw, dict) else None
        return purchase.get("transaction") if isinstance(purchase, dict) else None
    return item.purchase.transaction if item.purchase is not None else None


def sale_rows(client: HotmartClient, start: datetime, end: datetime, *, salt: str, rejects: list[Reject],
              statuses: tuple[str, ...] = ALL_STATUSES, slice_days: int = 1) -> Iterator[tuple]:
    """Rows of ``raw.hotmart_sales`` for ``[start, end)``; items that fail validation go to ``rejects``."""
    hasher = PiiHasher(salt)
    streams = [Stream(endpoint, day_start, day_end, status)
               for day_start, day_end in day_slices(start, end, slice_days)
               for endpoint in ("users", "history") for status in statuses]
    details: dict[str, BuyerInfo] = {}
    window: Window | None = None
    for stream, items in client.stream_pages(streams):
        if window is None or stream.start != window.start:  # a new slice: its users streams come first
            window = Window.of(stream.start, stream.end)
            details.clear()
        if stream.endpoint == "users":
            for item in items:
                if not isinstance(item, BadItem):  # an odd users item only costs its sale the address
                    transaction, info = buyer_info(item)
                    if transaction:
                        details[transaction] = info
            continue
        for item in items:
            try:
                if isinstance(item, BadItem):
                    raise RowError(item.reason)
                yield sale_row(item, details.get(item.purchase and item.purchase.transaction), hasher, window)
            except RowError as exc:
                rejects.append(Reject(_transaction(item), str(exc), redact_sale(getattr(item, "raw", item), hasher)))


def commission_rows_for(client: HotmartClient, start: datetime, end: datetime, *,
                        rejects: list[Reject]) -> Iterator[tuple]:
    """Rows of ``raw.hotmart_commissions`` for ``[start, end)``, tagged with the day they were asked for."""
    streams = [Stream("commissions", day_start, day_end, status)
               for day_start, day_end in day_slices(start, end) for status in PAID_STATUSES]
    for stream, items in client.stream_pages(streams):
        sale_date = stream.start.date().isoformat()
        for item in items:
            if isinstance(item, BadItem):
                rejects.append(Reject(None, item.reason, item.raw))
                continue
            rows, bad = commission_rows(item, sale_date)
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
