{#- Every product we know an id for: the affiliate's catalogue (price, commission, stock) and Hotmart's
    product list, one row per product_id. Catalogue values win: they are the affiliate's own terms. -#}
with catalogue as (
    select * from {{ ref('stg_catalogue__products') }}
),

hotmart as (
    select * from {{ ref('stg_hotmart__products') }}
)

select
    coalesce(catalogue.product_id, hotmart.product_id) as product_id,
    coalesce(catalogue.product_name, hotmart.product_name) as product_name,
    coalesce(catalogue.category, case hotmart.product_format
        when 'ONLINE_COURSE' then 'curso_online'
        when 'EBOOK' then 'ebook'
        when 'MENTORSHIP' then 'mentoria'
        when 'PHYSICAL' then 'fisico'
    end, 'outro') as category,
    coalesce(catalogue.product_format, hotmart.product_format) as product_format,
    catalogue.niche,
    catalogue.producer_name,
    coalesce(catalogue.is_physical, hotmart.product_format = 'PHYSICAL', false) as is_physical,
    catalogue.list_price,
    catalogue.commission_rate,
    catalogue.unit_cost,
    catalogue.stock_on_hand,
    catalogue.lead_time_days,
    catalogue.temperature,
    catalogue.rating,
    catalogue.hashtag,
    catalogue.launched_on as launch_date,
    hotmart.product_status as hotmart_status,
    coalesce(hotmart.is_subscription, false) as is_subscription,
    catalogue.product_id is not null as in_catalogue,
    hotmart.product_id is not null as on_hotmart
from catalogue
full outer join hotmart on hotmart.product_id = catalogue.product_id
