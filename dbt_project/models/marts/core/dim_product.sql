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
    from {{ ref('int_sales_unioned') }}
    where product_natural_key not in (select product_id::text from known)
    group by product_natural_key
),

products as (
    select
        product_id::text as product_code,
        product_id,
        product_name,
        category,
        product_format,
        niche,
        producer_name,
        is_physical,
        list_price,
        commission_rate,
        unit_cost,
        stock_on_hand,
        lead_time_days,
        temperature,
        rating,
        hashtag,
        launch_date,
        is_subscription,
        in_catalogue,
        on_hotmart
    from known
    union all
    select
        product_natural_key,
        product_id,
        coalesce(product_name, product_natural_key),
        'outro',
        null::text,
        null::text,
        null::text,
        false,
        null::numeric,
        null::numeric,
        null::numeric,
        null::integer,
        null::integer,
        null::integer,
        null::numeric,
        null::text,
        null::date,
        false,
        false,
        false
    from sales_only
)

select
    {{ surrogate_key(['product_code']) }} as product_key,
    product_id,
    product_code,
    product_name,
    category,
    product_format,
    niche,
    producer_name,
    is_physical,
    list_price::numeric(12, 2) as list_price,
    commission_rate::numeric(5, 4) as commission_rate,
    unit_cost::numeric(12, 2) as unit_cost,
    stock_on_hand,
    lead_time_days,
    temperature,
    rating::numeric(2, 1) as rating,
    hashtag,
    launch_date,
    is_subscription,
    in_catalogue,
    on_hotmart
from products
