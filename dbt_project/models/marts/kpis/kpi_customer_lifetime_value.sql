{#- Customer lifetime value: what each customer has brought so far (revenue, the affiliate's commission and
    profit) and a simple 12-month projection (revenue per month since the first purchase × 12).
    Recency is measured against the last day with loaded sales (as_of_date), not the wall clock, so a
    backfill of old data does not make everyone look churned. The unknown customer (sales with no buyer id)
    is left out. -#}
{{ config(indexes=[{'columns': ['customer_key'], 'unique': true}]) }}

with sales as (
    select * from {{ ref('fct_sales') }}
),

as_of as (
    select max(date_day) as as_of_date from sales
),

orders as (
    -- One row per order first (a file order has several lines): two hash aggregates, no distinct sort.
    select
        customer_key,
        order_id,
        sum(quantity) as units,
        sum(sales_amount) as revenue,
        sum(commission_amount) as commission_amount,
        sum(profit_amount) as profit_amount,
        min(date_day) as first_day,
        max(date_day) as last_day
    from sales
    group by customer_key, order_id
),

customers as (
    select
        customer_key,
        count(*) as orders,
        sum(units) as units,
        sum(revenue) as revenue,
        sum(commission_amount) as commission_amount,
        sum(profit_amount) as profit_amount,
        min(first_day) as first_purchase_date,
        max(last_day) as last_purchase_date
    from orders
    group by customer_key
)

select
    customers.customer_key,
    dim.customer_id,
    dim.cohort_month,
    dim.state,
    customers.orders,
    customers.units,
    customers.revenue::numeric(14, 2) as revenue,
    customers.commission_amount::numeric(14, 2) as commission_amount,
    customers.profit_amount::numeric(14, 2) as profit_amount,
    round(customers.revenue / customers.orders, 2)::numeric(12, 2) as average_order_value,
    customers.first_purchase_date,
    customers.last_purchase_date,
    as_of.as_of_date,
    (as_of.as_of_date - customers.last_purchase_date) as days_since_last_purchase,
    (customers.last_purchase_date - customers.first_purchase_date) as tenure_days,
    -- Revenue per 30 days since the first purchase (at least one month), times 12.
    round(
        customers.revenue / greatest((as_of.as_of_date - customers.first_purchase_date + 1) / 30.0, 1) * 12, 2
    )::numeric(14, 2) as projected_12m_revenue
from customers
cross join as_of
join {{ ref('dim_customer') }} as dim using (customer_key)
where dim.customer_id <> 'unknown'
