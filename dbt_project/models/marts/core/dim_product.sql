{#- Every product sold or sellable: the catalogue and Hotmart's list (product_id), plus products only sales
    know: a file's own code (product_id null, product_code = 'file:<code>') or an id neither the catalogue
    nor Hotmart's list has (yet). Every fact row finds its product. -#}
{{ config(indexes=[{'columns': ['product_key'], 'unique': true}, {'columns': ['product_id']}]) }}

with known as (
    select * from {{ ref('int_products_resolved') }}
),

sales_only as (
    select
        product_natural_key,
        max(product_id) as product_id,
        min(product_name) as product_name
    from {{ ref('int_sales_dimension_attributes') }}
    where product_natural_key not in (select product_id::text from known)
    group by product_natural_key
),

codes as (
    select product_id::text as product_code, product_id, product_name from known
    union all
    select product_natural_key, product_id, coalesce(product_name, product_natural_key) from sales_only
)

select
    {{ surrogate_key(['codes.product_code']) }} as product_key,
    codes.product_id,
    codes.product_code,
    codes.product_name,
    coalesce(known.category, 'outro') as category,
    known.product_format,
    known.niche,
    known.producer_name,
    coalesce(known.is_physical, false) as is_physical,
    known.list_price::numeric(12, 2) as list_price,
    known.commission_rate::numeric(5, 4) as commission_rate,
    known.unit_cost::numeric(12, 2) as unit_cost,
    known.stock_on_hand,
    known.lead_time_days,
    known.temperature,
    known.rating::numeric(2, 1) as rating,
    known.hashtag,
    known.launch_date,
    coalesce(known.is_subscription, false) as is_subscription,
    coalesce(known.in_catalogue, false) as in_catalogue,
    coalesce(known.on_hotmart, false) as on_hotmart
from codes
left join known on known.product_id::text = codes.product_code
