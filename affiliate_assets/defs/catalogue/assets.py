"""``raw/product_catalogue``: the catalogue the affiliate maintains (prices, commissions, stock).

Hotmart's API describes products (id, name, format) but not the affiliate's stock, purchase cost or lead
time; those live in the affiliate's own catalogue. A CSV at ``CATALOGUE_FILE`` replaces the bundled sample.
"""


import csv
from decimal import InvalidOperation
from pathlib import Path

import dagster as dg

from affiliate_assets.defs.catalogue.tables import PRODUCT_CATALOGUE
from affiliate_assets.lib.money import parse_decimal
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Reject, Warehouse
from affiliate_assets.sample_data.catalogue import catalogue

REQUIRED = ("product_id", "name", "category", "price", "commission_rate", "is_physical")
CATEGORIES = {"curso_online", "ebook", "mentoria", "fisico"}


def sample_rows() -> list[dict]:
    return [p.as_dict() for p in catalogue()]


def read_catalogue_file(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _bool(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "t", "yes", "sim", "s")


def validate(records: list[dict]) -> tuple[list[tuple], list[Reject]]:
    """Type and check each record; bad ones become rejects with the reason."""
    good: list[tuple] = []
    rejects: list[Reject] = []
    for line, rec in enumerate(records, start=2):
        key = str(rec.get("product_id") or "")
        missing = [f for f in REQUIRED if rec.get(f) in (None, "")]
        if missing:
            rejects.append(Reject(key or None, f"missing {', '.join(missing)}", rec, line))
            continue
        try:
            price = parse_decimal(rec["price"])
            rate = parse_decimal(rec["commission_rate"])
            row = {
                **{c: rec.get(c) for c in PRODUCT_CATALOGUE.column_names},
                "product_id": int(rec["product_id"]),
                "price": price,
                "commission_rate": rate,
                "unit_cost": parse_decimal(rec.get("unit_cost")),
                "rating": parse_decimal(rec.get("rating")),
                "is_physical": rec["is_physical"] if isinstance(rec["is_physical"], bool) else _bool(
                    rec["is_physical"]),
            }
            for col in ("temperature", "stock_on_hand", "lead_time_days"):
                row[col] = None if row[col] in (None, "") else int(row[col])
            for col in ("created_at", "launch_date", "ucode"):
                row[col] = row[col] or None
        except (ValueError, InvalidOperation) as exc:
            rejects.append(Reject(key, f"unparseable value: {exc}", rec, line))
            continue
        if row["category"] not in CATEGORIES:
            rejects.append(Reject(key, f"unknown category {row['category']!r}", rec, line))
        elif price is None or price <= 0:
            rejects.append(Reject(key, "price must be positive", rec, line))
        elif rate is None or not (0 <= rate <= 1):
            rejects.append(Reject(key, "commission_rate must be within [0, 1]", rec, line))
        else:
            good.append(tuple(row[c] for c in PRODUCT_CATALOGUE.column_names))
    return good, rejects


@dg.asset(
    key=["raw", "product_catalogue"],
    group_name="catalogue",
    kinds={"python", "postgres"},
    owners=["team:data-eng"],
    code_version="1",
    description="The affiliate's product catalogue: price, commission, stock, lead time (seed: estoque_atual).",
)
def product_catalogue(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    path = load_settings().catalogue_file
    records = read_catalogue_file(path) if path else sample_rows()
    good, rejects = validate(records)
    result = warehouse.load(
        PRODUCT_CATALOGUE, good, mode="replace", rejects=rejects, reject_batch="catalogue"
    )
    context.log.info("catalogue: %d products loaded, %d rejected", result.rows_loaded, result.rows_rejected)
    return dg.MaterializeResult(
        metadata={
            **result.metadata(),
            "source": str(path) if path else "bundled sample catalogue",
            "dagster/row_count": result.rows_loaded,
            "physical_products": sum(1 for r in good if r[PRODUCT_CATALOGUE.column_names.index("is_physical")]),
        }
    )
