{#- Revenue of the sales fact rolled up to a calendar grain (a dim_date column: date_day, week_start,
    month_start) × region × product × channel. One macro for the three KPI marts so they cannot drift. -#}
{% macro revenue_rollup(period_column) -%}
select
    dates.{{ period_column }} as period_start,
    geo.region,
    sales.product_key,
    products.product_id,
    products.product_name,
    products.category,
    channels.channel_id,
    count(*) as orders,
    sum(sales.quantity) as units,
    sum(sales.sales_amount)::numeric(14, 2) as revenue,
    sum(sales.discount_amount)::numeric(14, 2) as discount_amount,
    sum(sales.commission_amount)::numeric(14, 2) as commission_amount,
    sum(sales.profit_amount)::numeric(14, 2) as profit_amount,
    count(distinct sales.customer_key) as customers
from {{ ref('fct_sales') }} as sales
join {{ ref('dim_date') }} as dates on dates.date_key = sales.date_key
join {{ ref('dim_geography') }} as geo on geo.geography_key = sales.geography_key
join {{ ref('dim_product') }} as products on products.product_key = sales.product_key
join {{ ref('dim_channel') }} as channels on channels.channel_key = sales.channel_key
group by 1, 2, 3, 4, 5, 6, 7
{%- endmacro %}

{#- The daily rollup re-aggregated to a coarser calendar grain (week_start, month_start): additive measures
    only, so the fact and its four dimension joins are read once, by the daily mart. Distinct customers are
    not additive across days and stay in the daily mart. -#}
{% macro revenue_rollup_from_daily(period_column) -%}
select
    dates.{{ period_column }} as period_start,
    daily.region,
    daily.product_key,
    daily.product_id,
    daily.product_name,
    daily.category,
    daily.channel_id,
    sum(daily.orders) as orders,
    sum(daily.units) as units,
    sum(daily.revenue)::numeric(14, 2) as revenue,
    sum(daily.discount_amount)::numeric(14, 2) as discount_amount,
    sum(daily.commission_amount)::numeric(14, 2) as commission_amount,
    sum(daily.profit_amount)::numeric(14, 2) as profit_amount
from {{ ref('kpi_revenue_daily') }} as daily
join {{ ref('dim_date') }} as dates on dates.date_day = daily.period_start
group by 1, 2, 3, 4, 5, 6, 7
{%- endmacro %}
