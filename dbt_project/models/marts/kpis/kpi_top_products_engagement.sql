{#- Products ranked by social engagement (products JOIN social metrics), with what they sold: which posts
    drive attention, and whether attention turns into sales. Rank 1 = most engagements in the last 30 days
    with metrics (all-time engagements break ties). -#}
with products as (
    select * from {{ ref('int_products_enriched') }}
),

sales as (
    select product_id, count(*) as orders, sum(sales_amount) as revenue
    from {{ ref('fct_sales') }}
    where product_id is not null
    group by product_id
)

select
    rank() over (order by products.social_engagements_30d desc, products.social_engagements desc) as engagement_rank,
    dim.product_key,
    products.product_id,
    products.product_name,
    products.category,
    products.social_views_30d,
    products.social_engagements_30d,
    products.social_views,
    products.social_clicks,
    products.social_engagements,
    case when products.social_views > 0
        then round(products.social_engagements::numeric / products.social_views, 6) end as engagement_per_view,
    coalesce(sales.orders, 0) as orders,
    coalesce(sales.revenue, 0)::numeric(14, 2) as revenue
from products
join {{ ref('dim_product') }} as dim on dim.product_id = products.product_id
left join sales on sales.product_id = products.product_id
where products.social_engagements > 0
