{#- Sales from every channel in one grain: one row per sold line (a Hotmart transaction, a file's order
    line, a voice order), with the natural keys the dimensions are built from and the amounts in BRL.

    Only sales that stand count: Hotmart APPROVED/COMPLETE; file lines not cancelled/refunded, with a
    positive quantity, in BRL. Amounts:
    - sales_amount: what the buyer paid (net of discount);
    - discount_amount: the list price minus what was paid (Hotmart, voice) or the file's discount share;
    - commission_amount: the affiliate's commission (Hotmart's commission report for the account's role;
      a file's commission column; else the catalogue rate × the sale, flagged is_commission_estimated);
    - profit_amount: what the affiliate keeps: the file's profit when stated, else sale minus unit cost
      for physical goods with a known cost, else the commission. -#}
with products as (
    select * from {{ ref('int_products_resolved') }}
),

hotmart_sales as (
    select * from {{ ref('stg_hotmart__sales') }}
    where is_settled and currency = 'BRL'
),

commissions as (
    select transaction_code, commission_source, sum(commission_amount) as commission_amount
    from {{ ref('stg_hotmart__commissions') }}
    group by transaction_code, commission_source
),

hotmart as (
    select
        'hotmart:' || s.transaction_code as sale_id,
        'hotmart' as channel_id,
        s.transaction_code as order_id,
        s.ordered_at as sold_at,
        s.sale_status,
        s.payment_type,
        coalesce(s.buyer_email_hash, 'hotmart:' || s.buyer_ucode, 'unknown') as customer_natural_key,
        s.buyer_email_hash as customer_email_hash,
        s.buyer_country as country,
        s.buyer_state as state,
        s.buyer_city as city,
        s.product_id,
        s.product_id::text as product_natural_key,
        coalesce(s.product_name, p.product_name) as product_name,
        1 as quantity,
        s.price as sales_amount,
        greatest(coalesce(p.list_price, s.price) - s.price, 0) as discount_amount,
        coalesce(c.commission_amount, round(s.price * p.commission_rate, 2), 0) as commission_amount,
        c.commission_amount is null as is_commission_estimated,
        null::numeric as stated_profit,
        p.unit_cost
    from hotmart_sales as s
    left join commissions as c
        on c.transaction_code = s.transaction_code
        and c.commission_source = coalesce(s.commission_as, 'AFFILIATE')
    left join products as p on p.product_id = s.product_id
),

file_lines as (
    select * from {{ ref('stg_files__sales') }}
    where currency = 'BRL'
        and quantity > 0
        and coalesce(sale_status, '') not in (
            'CANCELLED', 'CANCELED', 'REFUNDED', 'CHARGEBACK', 'CANCELADO', 'CANCELADA', 'DEVOLVIDO',
            'DEVOLVIDA', 'REEMBOLSADO', 'REEMBOLSADA', 'ESTORNADO', 'ESTORNADA'
        )
),

file_products as (
    -- A file names a product by our id (numeric) or, failing that, by its exact catalogue name.
    select distinct on (codes.product_code, codes.product_name)
        codes.product_code, codes.product_name, coalesce(by_id.product_id, by_name.product_id) as product_id
    from (
        select distinct coalesce(product_code, '') as product_code, coalesce(product_name, '') as product_name
        from file_lines
    ) as codes
    left join products as by_id
        on by_id.product_id = case when codes.product_code ~ '^[0-9]{1,18}$' then codes.product_code::bigint end
    left join products as by_name on lower(by_name.product_name) = lower(codes.product_name)
    order by codes.product_code, codes.product_name, by_id.product_id nulls last, by_name.product_id
),

files as (
    select
        f.sale_id,
        'sales_file' as channel_id,
        f.order_id,
        f.sold_at,
        coalesce(f.sale_status, 'COMPLETE') as sale_status,
        f.payment_type,
        coalesce(f.customer_email_hash, 'file:' || f.customer_id, 'file:name:' || f.customer_name_hash, 'unknown')
            as customer_natural_key,
        f.customer_email_hash,
        f.country,
        f.state,
        f.city,
        p.product_id,
        coalesce(p.product_id::text, 'file:' || coalesce(f.product_code, f.product_name), 'unknown')
            as product_natural_key,
        coalesce(p.product_name, f.product_name) as product_name,
        f.quantity,
        f.sales_amount,
        case when f.discount_rate > 0 and f.discount_rate < 1
            then round(f.sales_amount * f.discount_rate / (1 - f.discount_rate), 2) else 0 end as discount_amount,
        coalesce(f.commission_amount, round(f.sales_amount * p.commission_rate, 2), 0) as commission_amount,
        f.commission_amount is null as is_commission_estimated,
        f.profit_amount as stated_profit,
        p.unit_cost
    from file_lines as f
    left join file_products as fp
        on fp.product_code = coalesce(f.product_code, '') and fp.product_name = coalesce(f.product_name, '')
    left join products as p on p.product_id = fp.product_id
),

voice_orders as (
    select * from {{ ref('stg_voice__orders') }}
    where order_status = 'registered' and product_id is not null and quantity > 0
),

voice as (
    select
        'voice:' || v.order_id as sale_id,
        'voice' as channel_id,
        v.order_id,
        v.ordered_at as sold_at,
        'REGISTERED' as sale_status,
        null::text as payment_type,
        -- A voice note says what to buy, not who buys: the unknown customer.
        'unknown' as customer_natural_key,
        null::text as customer_email_hash,
        null::text as country,
        null::text as state,
        null::text as city,
        v.product_id,
        v.product_id::text as product_natural_key,
        coalesce(p.product_name, v.matched_name) as product_name,
        v.quantity,
        coalesce(v.unit_price, p.list_price) * v.quantity as sales_amount,
        0::numeric as discount_amount,
        coalesce(round(coalesce(v.unit_price, p.list_price) * v.quantity * p.commission_rate, 2), 0)
            as commission_amount,
        true as is_commission_estimated,
        null::numeric as stated_profit,
        p.unit_cost
    from voice_orders as v
    left join products as p on p.product_id = v.product_id
    where coalesce(v.unit_price, p.list_price) is not null
),

unioned as (
    select * from hotmart
    union all
    select * from files
    union all
    select * from voice
),

states as (
    -- Files may spell the state out ("São Paulo"): look states up by UF code or by name.
    select state_code as lookup, state_code from {{ ref('br_states') }}
    union all
    select upper(state_name), state_code from {{ ref('br_states') }}
)

select
    sale_id,
    channel_id,
    order_id,
    sold_at,
    (sold_at at time zone 'UTC')::date as sale_date,
    sale_status,
    payment_type,
    customer_natural_key,
    customer_email_hash,
    -- Brazil spelled any way is BR; a blank state or city is unknown, never a separate place.
    case when upper(country) in ('BR', 'BRA', 'BRASIL', 'BRAZIL') or country is null then 'BR'
        else upper(country) end as country,
    coalesce(states.state_code, upper(unioned.state), 'N/D') as state,
    coalesce(initcap(city), 'N/D') as city,
    product_id,
    product_natural_key,
    product_name,
    quantity,
    sales_amount::numeric(12, 2) as sales_amount,
    discount_amount::numeric(12, 2) as discount_amount,
    commission_amount::numeric(12, 2) as commission_amount,
    is_commission_estimated,
    coalesce(
        stated_profit,
        case when unit_cost is not null then sales_amount - unit_cost * quantity end,
        commission_amount
    )::numeric(12, 2) as profit_amount
from unioned
left join states on states.lookup = upper(unioned.state)
