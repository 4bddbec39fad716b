{#- One row per customer across channels. The natural key is the salted e-mail hash when a channel gives an
    e-mail (the same person on Hotmart and in a file is one customer), else the channel's own customer id.
    No clear-text personal data: only hashes and ids. One pass over the sales (no self-joins), and every
    ordered aggregate shares one order so PostgreSQL sorts once: the first element is the first purchase,
    the last (index count(*)) the latest. -#}
{{ config(indexes=[{'columns': ['customer_key'], 'unique': true}]) }}

with customers as (
    select
        customer_natural_key,
        max(customer_email_hash) as email_hash,
        (array_agg(channel_id order by sold_at, sale_id))[1] as first_channel_id,
        (array_agg(country order by sold_at, sale_id))[count(*)] as country,
        (array_agg(state order by sold_at, sale_id))[count(*)] as state,
        (array_agg(city order by sold_at, sale_id))[count(*)] as city,
        min(sold_at) as first_purchase_at,
        max(sold_at) as last_purchase_at,
        count(*) as lifetime_orders,
        sum(sales_amount) as lifetime_revenue
    from {{ ref('int_sales_dimension_attributes') }}
    group by customer_natural_key
)

select
    {{ surrogate_key(['customer_natural_key']) }} as customer_key,
    customer_natural_key as customer_id,
    email_hash,
    customer_natural_key = coalesce(email_hash, '') as is_identified_by_email,
    first_channel_id,
    country,
    state,
    city,
    first_purchase_at,
    last_purchase_at,
    {{ cohort_month('first_purchase_at') }} as cohort_month,
    lifetime_orders,
    lifetime_revenue::numeric(14, 2) as lifetime_revenue
from customers
