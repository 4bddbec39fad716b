{#- Products as Hotmart lists them; one row per product. -#}
with source as (
    select * from {{ source('hotmart', 'hotmart_products') }}
)

select
    product_id,
    ucode as product_ucode,
    trim(name) as product_name,
    upper(status) as product_status,
    upper(format) as product_format,
    coalesce(is_subscription, false) as is_subscription,
    warranty_period as warranty_days,
    created_at,
    loaded_at
from source
