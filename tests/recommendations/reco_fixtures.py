"""Hand-built marts for the recommendations tests: eight products whose right answers are known.

The last day of data is ``LAST_DAY``; forecasts start the day after (as ``ml.demand_forecasts`` does after
a retrain). Products, by id:

1 Curso Estrela — 60 % commission, sales and engagement rising, forecast well above the last 28 days;
2 Mentoria Alta — R$ 1.997, 50 % commission, demand picking up, forecast above recent sales;
3 E-book Morno — flat everything, priced at the market;
4 E-book Caindo — 30 % commission, sales and engagement falling, forecast low;
5 Curso Caro — priced 25 % above the market median;
6 Fone Sem Estoque — physical, 5 units in stock for 3 a day and a 15-day lead time;
7 Garrafa Térmica — physical, plenty of stock;
8 Produto Sem Vendas — in the catalogue, never sold.
"""

from __future__ import annotations

from datetime import date, timedelta

from affiliate_assets.lib.warehouse import Column, TableSpec, Warehouse

FIRST_DAY = date(2025, 8, 1)
LAST_DAY = date(2025, 10, 31)
N_DAYS = (LAST_DAY - FIRST_DAY).days + 1

DIM_PRODUCT = TableSpec("marts", "dim_product", (
    Column("product_key", "text"), Column("product_id", "bigint"), Column("product_name", "text"),
    Column("category", "text"), Column("is_physical", "boolean"), Column("list_price", "numeric(12,2)"),
    Column("commission_rate", "numeric(5,4)"), Column("unit_cost", "numeric(12,2)"),
    Column("stock_on_hand", "integer"), Column("lead_time_days", "integer"),
))
FEATURES = TableSpec("marts", "product_daily_features", (
    Column("product_id", "bigint"), Column("date_day", "date"), Column("units", "integer"),
    Column("revenue", "numeric(14,2)"), Column("avg_unit_price", "numeric(12,2)"),
    Column("competitor_min_price", "numeric(12,2)"), Column("competitor_median_price", "numeric(12,2)"),
    Column("social_views", "bigint"), Column("social_engagement", "bigint"),
))

# id: (name, category, physical, price, commission, unit_cost, stock, lead, competitor median, forecast/day)
PRODUCTS = {
    1: ("Curso Estrela", "curso_online", False, 297.0, 0.60, None, None, None, 307.0, 12.0),
    2: ("Mentoria Alta", "mentoria", False, 1997.0, 0.50, None, None, None, 2090.0, 1.2),
    3: ("E-book Morno", "ebook", False, 37.9, 0.30, None, None, None, 37.9, 5.0),
    4: ("E-book Caindo", "ebook", False, 29.9, 0.30, None, None, None, 30.9, 0.5),
    5: ("Curso Caro", "curso_online", False, 497.0, 0.40, None, None, None, 397.0, 3.0),
    6: ("Fone Sem Estoque", "fisico", True, 149.9, 0.10, 70.0, 5, 15, 155.0, 3.0),
    7: ("Garrafa Térmica", "fisico", True, 89.9, 0.08, 40.0, 500, 10, 92.0, 2.0),
    8: ("Produto Sem Vendas", "ebook", False, 19.9, 0.50, None, None, None, None, None),
}


def units_and_engagement(pid: int, t: int) -> tuple[int, int]:
    """Units sold and social engagement of product ``pid`` on day ``t`` (0 = FIRST_DAY)."""
    late = t - (N_DAYS - 28)
    return {
        1: (1 + t // 10, 5 + 2 * t),
        2: (1 if late >= 6 or t % 3 == 0 else 0, 8 + t // 4),
        3: (5, 20),
        4: (max(1, round(9 - 8 * t / N_DAYS)), max(2, 60 - t)),
        5: (3, 15),
        6: (3, 10),
        7: (2, 6),
    }[pid]


def seed(warehouse: Warehouse) -> None:
    dims, feats, forecasts, reorders = [], [], [], []
    for pid, (name, cat, phys, price, rate, cost, stock, lead, median, per_day) in PRODUCTS.items():
        dims.append((f"k{pid}", pid, name, cat, phys, price, rate, cost, stock, lead))
        if per_day is None:
            continue
        for t in range(N_DAYS):
            units, engagement = units_and_engagement(pid, t)
            feats.append((pid, FIRST_DAY + timedelta(days=t), units, round(units * price, 2), price,
                          round(median * 0.95, 2), median, engagement * 10, engagement))
        for k in range(1, 91):
            forecasts.append((pid, LAST_DAY + timedelta(days=k), per_day, per_day * 0.7, per_day * 1.3,
                              f"prophet-{pid}", "prophet", False))
        if phys:
            reorders.append((pid, name, LAST_DAY + timedelta(days=1), lead, stock, per_day * lead, 10.0,
                             per_day * lead + 10, 90 if stock < 100 else 0,
                             LAST_DAY + timedelta(days=1) if stock < 100 else None, 1 if stock < 100 else None,
                             None, f"prophet-{pid}", "prophet"))
    warehouse.load(DIM_PRODUCT, dims, mode="replace")
    warehouse.load(FEATURES, feats, mode="replace")
    from affiliate_assets.defs.forecasting.tables import DEMAND_FORECASTS, REORDER_SUGGESTIONS

    warehouse.load(DEMAND_FORECASTS, forecasts, mode="replace")
    warehouse.load(REORDER_SUGGESTIONS, reorders, mode="replace")
