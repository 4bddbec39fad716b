{#- Commission split of each Hotmart sale, one row per transaction × receiver role × receiver. -#}
with source as (
    select * from {{ source('hotmart', 'hotmart_commissions') }}
)

select
    "transaction" || ':' || upper(source) || ':' || user_ucode as commission_id,
    "transaction" as transaction_code,
    upper(source) as commission_source,
    user_ucode,
    sale_date,
    product_id,
    commission_value::numeric(12, 2) as commission_amount,
    upper(currency) as currency,
    exchange_rate_currency_payout,
    loaded_at
from source
