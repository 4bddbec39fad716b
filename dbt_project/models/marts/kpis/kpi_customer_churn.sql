{#- Churn per customer: a customer has churned when their last purchase is more than `churn_after_days`
    (var, 90 by default) before the last loaded day. Customers whose first purchase is itself more recent than
    that window are "new", never churned. -#}
select
    customer_key,
    customer_id,
    cohort_month,
    orders,
    revenue,
    last_purchase_date,
    as_of_date,
    days_since_last_purchase,
    {{ var('churn_after_days') }} as churn_after_days,
    days_since_last_purchase > {{ var('churn_after_days') }} as is_churned,
    case
        when days_since_last_purchase > {{ var('churn_after_days') }} then 'churned'
        when as_of_date - first_purchase_date <= {{ var('churn_after_days') }} then 'new'
        else 'active'
    end as churn_status
from {{ ref('kpi_customer_lifetime_value') }}
