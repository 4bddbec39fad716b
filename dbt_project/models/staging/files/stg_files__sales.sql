{#- Order lines from dropped sales files. A corrected re-drop is a new file: for each order keep the lines of
    the most recently loaded file that contains it (the rule raw.sales_history documents), so changed, added
    and removed lines of a correction all take effect. -#}
with history as (
    select * from {{ source('files', 'sales_history') }}
),

files as (
    select file_hash, file_name, loaded_at as file_loaded_at from {{ source('files', 'sales_files') }}
),

ranked as (
    select
        history.*,
        files.file_name,
        dense_rank() over (
            partition by history.order_id
            order by coalesce(files.file_loaded_at, history.loaded_at) desc, history.file_hash desc
        ) as file_rank
    from history
    left join files using (file_hash)
)

select
    'file:' || trim(order_id) || ':' || order_line as sale_id,
    trim(order_id) as order_id,
    order_line,
    file_hash,
    source_file,
    line_number,
    layout,
    order_date,
    -- Files carry a day, not an instant: the sale counts at midnight UTC of that day.
    order_date::timestamp at time zone 'UTC' as sold_at,
    ship_date,
    nullif(trim(ship_mode), '') as ship_mode,
    upper(nullif(trim(status), '')) as sale_status,
    upper(nullif(trim(payment_type), '')) as payment_type,
    nullif(trim(customer_id), '') as customer_id,
    customer_email_hash,
    customer_name_hash,
    nullif(trim(segment), '') as customer_segment,
    nullif(trim(country), '') as country,
    nullif(trim(city), '') as city,
    nullif(trim(state), '') as state,
    nullif(trim(postal_code), '') as postal_code,
    nullif(trim(region), '') as region,
    nullif(trim(product_id), '') as product_code,
    nullif(trim(category), '') as category,
    nullif(trim(sub_category), '') as sub_category,
    nullif(trim(product_name), '') as product_name,
    sales::numeric(12, 2) as sales_amount,
    quantity,
    coalesce(discount, 0)::numeric(6, 4) as discount_rate,
    profit::numeric(12, 2) as profit_amount,
    commission::numeric(12, 2) as commission_amount,
    case when upper(trim(currency)) in ('R$', 'BRL', 'REAL', 'REAIS') then 'BRL' else upper(trim(currency)) end as currency,
    loaded_at
from ranked
where file_rank = 1
