{#- The sales fact: one row per sold line from every channel, keyed to the dimensions.

    Incremental on daily partitions: Dagster passes the partition window as --vars {min_date, max_date};
    the pre-hook deletes the window's rows and the model inserts the window again (delete+insert on
    sale_id), so a partition run touches only its days and a re-run gives the same rows, including sales
    that disappeared upstream. With no window (a plain `dbt build`) every day is rebuilt.

    Keys are surrogate hashes of the natural keys, computed here the same way the dimensions compute them:
    no lookup joins on the hot path; relationships tests prove every key exists in its dimension. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='sale_id',
    on_schema_change='append_new_columns',
    tags=['partitioned'],
    pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ in_partition_window('sold_at') }}{% endif %}",
    indexes=[
        {'columns': ['sale_id'], 'unique': true},
        {'columns': ['sold_at']},
        {'columns': ['date_key']},
        {'columns': ['customer_key']},
        {'columns': ['product_key']},
    ],
) }}
-- depends_on: {{ ref('dim_customer') }}
-- depends_on: {{ ref('dim_product') }}
-- depends_on: {{ ref('dim_geography') }}
-- depends_on: {{ ref('dim_date') }}

with sales as (
    select * from {{ ref('int_sales_unioned') }}
    where {{ in_partition_window('sold_at') }}
),

channels as (
    select channel_key, channel_id from {{ ref('dim_channel') }}
)

select
    sales.sale_id,
    to_char(sales.sale_date, 'YYYYMMDD')::int as date_key,
    {{ surrogate_key(['sales.customer_natural_key']) }} as customer_key,
    {{ surrogate_key(['sales.product_natural_key']) }} as product_key,
    {{ surrogate_key(['sales.country', 'sales.state', 'sales.city']) }} as geography_key,
    channels.channel_key,
    sales.sold_at,
    sales.sale_date as date_day,
    sales.order_id,
    sales.product_id,
    sales.sale_status,
    sales.payment_type,
    sales.sales_amount,
    sales.quantity,
    (sales.sales_amount / sales.quantity)::numeric(12, 2) as unit_price,
    sales.discount_amount,
    sales.commission_amount,
    sales.is_commission_estimated,
    sales.profit_amount,
    case when sales.sales_amount > 0
        then round(sales.profit_amount / sales.sales_amount, 4) end::numeric(7, 4) as profit_margin
from sales
join channels using (channel_id)
