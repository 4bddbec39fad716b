{#- The dimension attributes of every sale (customer, place, product), materialized once per build so the
    three dimensions scan this narrow table instead of each re-running the whole sales union (seconds per
    run over a million sales). The fact does not read it: it reads the union for its partition window. -#}
{{ config(materialized='table') }}

select
    sale_id,
    channel_id,
    sold_at,
    customer_natural_key,
    customer_email_hash,
    country,
    state,
    city,
    product_id,
    product_natural_key,
    product_name,
    sales_amount
from {{ ref('int_sales_unioned') }}
