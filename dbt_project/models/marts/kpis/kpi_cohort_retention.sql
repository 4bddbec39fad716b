{#- Cohort retention: customers grouped by the month of their first purchase (UTC); for each later month,
    how many of them bought again and what share of the cohort that is. Month 0 is the cohort itself (100 %). -#}
with sales as (
    select customer_key, date_day from {{ ref('fct_sales') }}
),

customers as (
    select customer_key, cohort_month from {{ ref('dim_customer') }} where customer_id <> 'unknown'
),

activity as (
    select distinct
        customers.cohort_month,
        customers.customer_key,
        date_trunc('month', sales.date_day)::date as activity_month
    from sales
    join customers using (customer_key)
),

cohort_sizes as (
    select cohort_month, count(*) as cohort_customers
    from customers
    group by cohort_month
)

select
    activity.cohort_month,
    activity.activity_month,
    ((extract(year from activity.activity_month) - extract(year from activity.cohort_month)) * 12
        + extract(month from activity.activity_month) - extract(month from activity.cohort_month))::int
        as months_since_first_purchase,
    cohort_sizes.cohort_customers,
    count(*) as active_customers,
    round(count(*)::numeric / cohort_sizes.cohort_customers, 4) as retention_rate
from activity
join cohort_sizes using (cohort_month)
group by 1, 2, 3, 4
