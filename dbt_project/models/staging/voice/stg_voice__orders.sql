{#- Purchases asked for by voice (PedidosVoz), one row per buy intent. -#}
with source as (
    select * from {{ source('voice', 'voice_orders') }}
)

select
    order_id,
    audio_hash,
    intent_index,
    lower(intent) as intent,
    product_id,
    matched_name,
    match_score::numeric(5, 2) as match_score,
    quantity,
    unit_price::numeric(12, 2) as unit_price,
    lower(status) as order_status,
    review_reason,
    raw_text as transcript,
    -- A note with no recording time counts when it was loaded.
    coalesce(ordered_at, loaded_at) as ordered_at,
    loaded_at
from source
