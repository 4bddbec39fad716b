"""Crawl items (JSON lines from the spider) → typed rows and rejects for ``Warehouse.load``.

The spider already parsed prices; this is the warehouse's own validation (an item that does not fit
the table goes to ``raw.rejects`` with the reason, never silently away) and the deterministic ids that
make re-loading one crawl's batch idempotent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from affiliate_assets.defs.crawl.tables import CRAWL_ERRORS, PRICE_OBSERVATIONS
from affiliate_assets.lib.money import MAX_AMOUNT
from affiliate_assets.lib.warehouse import LoadResult, Reject, Warehouse


def row_id(crawl_id: str, product_id: object, url: str) -> str:
    return hashlib.sha256(f"{crawl_id}\x1f{product_id}\x1f{url}".encode()).hexdigest()[:32]


def _money(value: Any, name: str, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValueError(f"missing {name}")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{name} is not a number: {value!r}") from exc
    if not Decimal(0) < amount <= MAX_AMOUNT:
        raise ValueError(f"{name} out of range: {amount}")
    return amount


def observation_row(item: dict[str, Any]) -> tuple:
    currency = str(item.get("currency") or "")
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"currency is not an ISO 4217 code: {currency!r}")
    values = {
        **item,
        "observation_id": row_id(item["crawl_id"], item["product_id"], item["url"]),
        "product_id": int(item["product_id"]),
        "price": _money(item.get("price"), "price", required=True),
        "old_price": _money(item.get("old_price"), "old_price"),
        "installment_price": _money(item.get("installment_price"), "installment_price"),
        "installments": int(item["installments"]) if item.get("installments") not in (None, "") else None,
        "currency": currency.upper(),
        "http_status": int(item["http_status"]),
        "fetched_at": datetime.fromisoformat(item["fetched_at"]),
    }
    return tuple(values.get(c) for c in PRICE_OBSERVATIONS.column_names)


def error_row(item: dict[str, Any]) -> tuple:
    values = {
        **item,
        "error_id": row_id(item["crawl_id"], item["product_id"], item["url"]),
        "product_id": int(item["product_id"]),
        "http_status": int(item["http_status"]) if item.get("http_status") is not None else None,
        "fetched_at": datetime.fromisoformat(item["fetched_at"]),
    }
    return tuple(values.get(c) for c in CRAWL_ERRORS.column_names)


@dataclass
class BatchLoader:
    """Loads batches of mixed items into the two tables, keeping the running totals for metadata."""

    warehouse: Warehouse
    crawl_id: str
    batches: int = 0
    totals: dict[str, dict[str, int]] = field(default_factory=lambda: {
        t: {"rows_in": 0, "rows_loaded": 0, "rows_rejected": 0} for t in ("observations", "errors")})
    methods: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, items: list[dict[str, Any]]) -> None:
        self.batches += 1
        batch = f"{self.crawl_id}#{self.batches}"
        for kind, spec, convert in (("observation", PRICE_OBSERVATIONS, observation_row),
                                    ("error", CRAWL_ERRORS, error_row)):
            rows, rejects = [], []
            for item in (i for i in items if i.get("kind") == kind):
                try:
                    rows.append(convert(item))
                except (KeyError, TypeError, ValueError) as exc:
                    rejects.append(Reject(f"{item.get('product_id')} {item.get('url')}", str(exc), item))
                    continue
                self._count(kind, item)
            if rows or rejects:
                self._add("observations" if kind == "observation" else "errors", self.warehouse.load(
                    spec, rows, mode="upsert", rejects=rejects, reject_batch=batch))

    def _count(self, kind: str, item: dict[str, Any]) -> None:
        if kind == "observation":
            method = item.get("extraction_method") or "unknown"
            self.methods[method] = self.methods.get(method, 0) + 1
            if len(self.preview) < 10:
                self.preview.append(item)
        else:
            self.reasons[item["reason"]] = self.reasons.get(item["reason"], 0) + 1

    def _add(self, table: str, result: LoadResult) -> None:
        for key in ("rows_in", "rows_loaded", "rows_rejected"):
            self.totals[table][key] += getattr(result, key)
