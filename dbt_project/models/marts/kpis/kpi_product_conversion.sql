{#- Click → sale conversion per product: social link clicks and views of the posts that mention the product
    (daily activity summed over every day we have metrics) against the product's orders over the same days.
    conversion_rate = orders / clicks; orders_per_1000_views for platforms that give no clicks. -#}
with social as (
    select * from {{ ref('int_social_products_daily') }}
),

window_days as (
    select product_id, min(date_day) as first_day, max(date_day) as last_day
    from social
    group by product_id
),

social_totals as (
    select
        product_id,
        sum(posts) as post_days,
        sum(views) as views,
        sum(clicks) as clicks,
        sum(engagements) as engagements
    from social
    group by product_id
),

sales as (
    select
        sales.product_id,
        count(*) as orders,
        sum(sales.quantity) as units,
        sum(sales.sales_amount) as revenue
    from {{ ref('fct_sales') }} as sales
    join window_days
        on window_days.product_id = sales.product_id
        and sales.date_day between window_days.first_day and window_days.last_day
    group by sales.product_id
)

select
    products.product_key,
    products.product_id,
    products.product_name,
    products.category,
    window_days.first_day,
    window_days.last_day,
    social_totals.views,
    social_totals.clicks,
    social_totals.engagements,
    coalesce(sales.orders, 0) as orders,
    coalesce(sales.units, 0) as units,
    coalesce(sales.revenue, 0)::numeric(14, 2) as revenue,
    case when social_totals.clicks > 0
        then round(coalesce(sales.orders, 0)::numeric / social_totals.clicks, 6) end as conversion_rate,
    case when social_totals.views > 0
        then round(coalesce(sales.orders, 0)::numeric * 1000 / social_totals.views, 4) end as orders_per_1000_views
from social_totals
join window_days using (product_id)
join {{ ref('dim_product') }} as products on products.product_id = social_totals.product_id
left join sales on sales.product_id = social_totals.product_id
