{#- Market basket: product pairs bought together, a basket being one customer's purchases on one day (a
    Hotmart transaction holds one product, so the same buyer's same-day transactions form the basket; a file
    order's lines share that day too). Support = share of baskets holding both; confidence = P(B | A);
    lift = confidence / P(B). Pairs seen in fewer than 2 baskets are left out. -#}
with lines as (
    select distinct customer_key, date_day, product_key
    from {{ ref('fct_sales') }}
    where customer_key <> {{ surrogate_key(["'unknown'"]) }}
),

baskets as (
    select customer_key, date_day, count(*) as products
    from lines
    group by customer_key, date_day
),

basket_count as (
    select count(*)::numeric as baskets from baskets
),

-- Only baskets of two or more products can hold a pair: the self-join runs on those lines alone.
multi_lines as (
    select lines.*
    from lines
    join baskets using (customer_key, date_day)
    where baskets.products >= 2
),

product_baskets as (
    select product_key, count(*) as baskets from lines group by product_key
),

pairs as (
    select a.product_key as product_a_key, b.product_key as product_b_key, count(*) as baskets
    from multi_lines as a
    join multi_lines as b
        on a.customer_key = b.customer_key and a.date_day = b.date_day and a.product_key <> b.product_key
    group by a.product_key, b.product_key
    having count(*) >= 2
)

select
    pairs.product_a_key,
    product_a.product_name as product_a_name,
    pairs.product_b_key,
    product_b.product_name as product_b_name,
    pairs.baskets as baskets_together,
    round(pairs.baskets / basket_count.baskets, 6) as support,
    round(pairs.baskets::numeric / a_baskets.baskets, 4) as confidence,
    round((pairs.baskets::numeric / a_baskets.baskets) / (b_baskets.baskets / basket_count.baskets), 4) as lift
from pairs
cross join basket_count
join product_baskets as a_baskets on a_baskets.product_key = pairs.product_a_key
join product_baskets as b_baskets on b_baskets.product_key = pairs.product_b_key
join {{ ref('dim_product') }} as product_a on product_a.product_key = pairs.product_a_key
join {{ ref('dim_product') }} as product_b on product_b.product_key = pairs.product_b_key
