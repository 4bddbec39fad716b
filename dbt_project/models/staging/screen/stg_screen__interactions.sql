{#- Products seen on screenshots, one row per (screenshot, position). -#}
with source as (
    select * from {{ source('screen', 'screen_interactions') }}
)

select
    image_hash || ':' || item_index as interaction_id,
    image_hash,
    item_index,
    screen_type,
    product_id,
    matched_name,
    match_score::numeric(5, 2) as match_score,
    product_text,
    price::numeric(12, 2) as seen_price,
    commission_pct::numeric(5, 2) as seen_commission_pct,
    commission_amount::numeric(12, 2) as seen_commission_amount,
    rating as seen_rating,
    temperature as seen_temperature,
    confidence::numeric(5, 2) as ocr_confidence,
    is_low_confidence,
    seen_at,
    loaded_at
from source
