with source as (
    select * from {{ source('catalogue', 'product_catalogue') }}
)

select
    product_id,
    ucode as product_ucode,
    trim(name) as product_name,
    category,
    format as product_format,
    niche,
    producer as producer_name,
    price::numeric(12, 2) as list_price,
    commission_rate::numeric(5, 4) as commission_rate,
    round(price * commission_rate, 2)::numeric(12, 2) as commission_per_unit,
    temperature,
    rating,
    is_physical,
    unit_cost::numeric(12, 2) as unit_cost,
    stock_on_hand,
    lead_time_days,
    hashtag,
    created_at::date as created_on,
    launch_date as launched_on,
    loaded_at
from source
