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
