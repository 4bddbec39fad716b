{#- What demand models read: one row per product × day, from the product's first sale to the last loaded
    day (the last day with any sale), zero-filled on days without sales. Competitor prices are the latest
    known as of that day (carried forward from the last crawl; null before the first one); social activity is
    that day's. Only products with a product_id (catalogue / Hotmart) are here. -#}
{{ config(indexes=[{'columns': ['product_id', 'date_day'], 'unique': true}, {'columns': ['date_day']}]) }}

with sales as (
    select * from {{ ref('fct_sales') }} where product_id is not null
),

last_day as (
    select max(date_day) as last_day from {{ ref('fct_sales') }}
),

product_span as (
    select product_id, min(date_day) as first_day from sales group by product_id
),

spine as (
    select product_span.product_id, dates.date_day, dates.date_key, dates.is_holiday_br, dates.is_weekend,
        dates.is_black_friday, dates.iso_day_of_week
    from product_span
    cross join last_day
    join {{ ref('dim_date') }} as dates
        on dates.date_day between product_span.first_day and last_day.last_day
),

daily_sales as (
    select
        product_id,
        date_day,
        sum(quantity) as units,
        count(*) as orders,
        sum(sales_amount) as revenue,
        sum(discount_amount) as discount_amount,
        sum(commission_amount) as commission_amount
    from sales
    group by product_id, date_day
),

market as (
    select product_id, date_day, competitor_min_price, competitor_median_price
    from {{ ref('int_market_prices_daily') }}
),

social as (
    select product_id, date_day, views, engagements, clicks
    from {{ ref('int_social_products_daily') }}
),

joined as (
    select
        spine.*,
        coalesce(daily_sales.units, 0) as units,
        coalesce(daily_sales.orders, 0) as orders,
        coalesce(daily_sales.revenue, 0) as revenue,
        coalesce(daily_sales.discount_amount, 0) as discount_amount,
        coalesce(daily_sales.commission_amount, 0) as commission_amount,
        market.competitor_min_price as market_min_that_day,
        market.competitor_median_price as market_median_that_day,
        -- Rows up to the last crawled day share a group number: the carry-forward key.
        count(market.date_day) over (partition by spine.product_id order by spine.date_day) as market_group,
        coalesce(social.views, 0) as social_views,
        coalesce(social.engagements, 0) as social_engagement,
        coalesce(social.clicks, 0) as social_clicks
    from spine
    left join daily_sales using (product_id, date_day)
    left join market using (product_id, date_day)
    left join social using (product_id, date_day)
)

select
    joined.product_id,
    products.product_key,
    joined.date_day,
    joined.date_key,
    joined.units::int as units,
    joined.orders::int as orders,
    joined.revenue::numeric(14, 2) as revenue,
    -- The price paid on the day; on days without sales, the list price (what a buyer would have paid).
    coalesce(round(joined.revenue / nullif(joined.units, 0), 2), products.list_price)::numeric(12, 2)
        as avg_unit_price,
    joined.discount_amount::numeric(14, 2) as discount_amount,
    joined.commission_amount::numeric(14, 2) as commission_amount,
    max(joined.market_min_that_day) over market_run::numeric(12, 2) as competitor_min_price,
    max(joined.market_median_that_day) over market_run::numeric(12, 2) as competitor_median_price,
    joined.social_views::bigint as social_views,
    joined.social_engagement::bigint as social_engagement,
    joined.social_clicks::bigint as social_clicks,
    joined.is_holiday_br,
    joined.is_weekend,
    joined.is_black_friday,
    joined.iso_day_of_week,
    products.list_price,
    products.is_physical,
    products.stock_on_hand,
    products.lead_time_days
from joined
join {{ ref('dim_product') }} as products on products.product_id = joined.product_id
window market_run as (partition by joined.product_id, joined.market_group)
