{#- Hotmart transactions, one row per transaction code (the raw primary key). -#}
with source as (
    select * from {{ source('hotmart', 'hotmart_sales') }}
)

select
    "transaction" as transaction_code,
    order_date as ordered_at,
    approved_date as approved_at,
    upper(status) as sale_status,
    upper(status) in ('APPROVED', 'COMPLETE') as is_settled,
    product_id,
    product_name,
    buyer_ucode,
    buyer_email_hash,
    buyer_phone_hash,
    buyer_name_hash,
    nullif(trim(buyer_city), '') as buyer_city,
    upper(nullif(trim(buyer_state), '')) as buyer_state,
    upper(coalesce(nullif(trim(buyer_country), ''), 'BR')) as buyer_country,
    producer_name,
    affiliate_ucode,
    upper(commission_as) as commission_as,
    upper(payment_type) as payment_type,
    upper(payment_method) as payment_method,
    coalesce(installments, 1) as installments,
    price::numeric(12, 2) as price,
    upper(currency) as currency,
    hotmart_fee::numeric(12, 2) as hotmart_fee,
    offer_code,
    coalesce(is_subscription, false) as is_subscription,
    recurrency_number,
    tracking_source,
    tracking_source_sck,
    warranty_expire_date as warranty_expires_at,
    loaded_at
from source
