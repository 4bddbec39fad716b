"""``reco/recommendation_outcomes`` + ``reco/kpi_recommendations_daily``: was the advice acted on?

The KPI the seed asks for — products recommended per day and how many were acted on — needs a definition
of "acted on" that the data can check. A recommendation counts as acted on when, over the 7 days after
its day, the product moved in the recommended direction against the 7 days up to it:

- promote: units sold went up;
- drop: social views of posts about it went down (the affiliate stopped pushing it);
- reprice: the average price paid moved towards the suggested price;
- restock: stock on hand now is above the stock when the advice was given (the catalogue keeps no stock
  history, so this compares with today's stock);
- hold: nothing to act on (``not_actionable``).

Days without 7 observed days after them are ``pending`` and re-evaluated on the next materialization.
"""

import dagster as dg

from affiliate_assets.defs.recommendations.signals import DIM_PRODUCT, FEATURES, require
from affiliate_assets.defs.recommendations.tables import (
    KPI_RECOMMENDATIONS_DAILY,
    RECOMMENDATION_OUTCOMES,
    RECOMMENDATIONS,
)
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.warehouse import Warehouse

WINDOW_DAYS = 7

OUTCOMES_SQL = """
with r as (
    select reco_date, product_id, action, mode, suggested_price, stock_on_hand
    from reco.recommendations
),
w as (
    select r.reco_date, r.product_id, r.action, r.mode, r.suggested_price, r.stock_on_hand,
           count(distinct f.date_day) filter (where f.date_day > r.reco_date) as days_after,
           sum(f.units) filter (where f.date_day <= r.reco_date) as units_before,
           sum(f.units) filter (where f.date_day > r.reco_date) as units_after,
           sum(f.social_views) filter (where f.date_day <= r.reco_date) as views_before,
           sum(f.social_views) filter (where f.date_day > r.reco_date) as views_after,
           sum(f.revenue) filter (where f.date_day <= r.reco_date)
             / nullif(sum(f.units) filter (where f.date_day <= r.reco_date), 0) as price_before,
           sum(f.revenue) filter (where f.date_day > r.reco_date)
             / nullif(sum(f.units) filter (where f.date_day > r.reco_date), 0) as price_after
    from r
    left join marts.product_daily_features as f
        on f.product_id = r.product_id
       and f.date_day between r.reco_date - (%(days)s - 1) and r.reco_date + %(days)s
    group by 1, 2, 3, 4, 5, 6
),
cur as (
    select product_id, max(stock_on_hand) as stock_now from marts.dim_product where product_id is not null
    group by product_id
)
select w.reco_date, w.product_id, w.action, w.mode,
       case
           when w.action = 'hold' then 'not_actionable'
           when coalesce(w.days_after, 0) < %(days)s then 'pending'
           when w.action = 'promote' and w.units_after > w.units_before then 'acted_on'
           when w.action = 'drop' and w.views_after < w.views_before then 'acted_on'
           when w.action = 'reprice' and w.price_after is not null and w.price_before is not null
                and abs(w.price_after - w.suggested_price) < abs(w.price_before - w.suggested_price) * 0.99
                then 'acted_on'
           when w.action = 'restock' and cur.stock_now > w.stock_on_hand then 'acted_on'
           else 'not_acted'
       end,
       case w.action when 'promote' then 'units' when 'drop' then 'social_views' when 'reprice' then 'price'
                     when 'restock' then 'stock' end,
       case w.action when 'promote' then w.units_before when 'drop' then w.views_before
                     when 'reprice' then round(w.price_before, 2) when 'restock' then w.stock_on_hand end,
       case w.action when 'promote' then w.units_after when 'drop' then w.views_after
                     when 'reprice' then round(w.price_after, 2) when 'restock' then cur.stock_now end
from w left join cur using (product_id)
"""

KPI_SQL = """
select reco_date, count(*),
       count(*) filter (where action = 'promote'), count(*) filter (where action = 'hold'),
       count(*) filter (where action = 'drop'), count(*) filter (where action = 'restock'),
       count(*) filter (where action = 'reprice'),
       count(*) filter (where status <> 'not_actionable'),
       count(*) filter (where status in ('acted_on', 'not_acted')),
       count(*) filter (where status = 'acted_on'),
       round(count(*) filter (where status = 'acted_on')::numeric
             / nullif(count(*) filter (where status in ('acted_on', 'not_acted')), 0), 4),
       count(*) filter (where mode = 'llm'), count(*) filter (where mode = 'offline')
from reco.recommendation_outcomes
group by reco_date
order by reco_date
"""


SPEC_OPTIONS = {"kinds": {"python", "postgres"}, "owners": ["team:data-science"], "code_version": "1",
                "automation_condition": dg.AutomationCondition.eager()}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["reco", "recommendation_outcomes"],
            deps=[["reco", "recommendations"], ["marts", "product_daily_features"], ["marts", "dim_product"]],
            description="Per recommendation: acted on, not acted, pending or not actionable, with the "
            "before/after values compared.",
            **SPEC_OPTIONS,
        ),
        dg.AssetSpec(
            ["reco", "kpi_recommendations_daily"],
            deps=[["reco", "recommendation_outcomes"]],
            description="KPI per day: products recommended, by action, and how many were acted on (seed 000).",
            **SPEC_OPTIONS,
        ),
    ],
    group_name="recommendations",
)
def recommendation_outcomes(context: dg.AssetExecutionContext, warehouse: Warehouse):
    require(warehouse, RECOMMENDATIONS.qualified, FEATURES, DIM_PRODUCT)
    outcomes = warehouse.fetchall(OUTCOMES_SQL, {"days": WINDOW_DAYS})
    loaded = warehouse.load(RECOMMENDATION_OUTCOMES, outcomes, mode="replace")
    status = {}
    for row in outcomes:
        status[row[4]] = status.get(row[4], 0) + 1
    yield dg.MaterializeResult(asset_key=["reco", "recommendation_outcomes"], metadata={
        **loaded.metadata(), "dagster/row_count": loaded.rows_loaded, "status": dg.MetadataValue.json(status),
        "window_days": WINDOW_DAYS,
    })
    kpi = warehouse.fetchall(KPI_SQL)
    loaded_kpi = warehouse.load(KPI_RECOMMENDATIONS_DAILY, kpi, mode="replace")
    last_days = markdown_table(
        [(r[0].strftime("%d/%m/%Y"), r[1], r[7], r[8], r[9], "—" if r[10] is None else f"{float(r[10]) * 100:.0f}%")
         for r in kpi[-14:]], ["dia", "recomendados", "acionáveis", "avaliados", "executados", "taxa"], align="lrrrrr")
    evaluated, acted = sum(r[8] for r in kpi), sum(r[9] for r in kpi)
    yield dg.MaterializeResult(asset_key=["reco", "kpi_recommendations_daily"], metadata={
        **loaded_kpi.metadata(), "dagster/row_count": loaded_kpi.rows_loaded,
        "days": len(kpi), "recommended_total": sum(r[1] for r in kpi), "evaluated_total": evaluated,
        "acted_on_total": acted, "acted_on_rate": round(acted / evaluated, 4) if evaluated else None,
        "last_days": dg.MetadataValue.md(last_days),
    })
