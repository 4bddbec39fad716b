{#- Competitor prices seen by the crawl, one row per crawl × product × URL (the raw table is append-only
    history; its deterministic observation_id already makes a retried crawl idempotent). -#}
with source as (
    select * from {{ source('crawl', 'price_observations') }}
)

select
    observation_id,
    crawl_id,
    product_id,
    url,
    final_url,
    lower(domain) as domain,
    title as page_title,
    price::numeric(12, 2) as price,
    old_price::numeric(12, 2) as old_price,
    upper(currency) as currency,
    installments,
    installment_price::numeric(12, 2) as installment_price,
    lower(coalesce(availability, 'unknown')) as availability,
    seller,
    extraction_method,
    http_status,
    fetched_at,
    (fetched_at at time zone 'UTC')::date as fetched_on,
    loaded_at
from source
