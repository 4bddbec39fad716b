{#- RFM: recency, frequency and monetary scores 1-5 by percentile rank among customers (ties share a score:
    score = 1 + floor(5 × (rank - 1) / (n - 1)), capped at 5; integer arithmetic so any other
    implementation gets the same numbers), then a named segment from the scores. Recent, frequent, big
    spenders score 5. -#}
with customers as (
    select * from {{ ref('kpi_customer_lifetime_value') }}
),

scored as (
    select
        customers.*,
        {{ rfm_score('days_since_last_purchase', descending=true) }} as recency_score,
        {{ rfm_score('orders') }} as frequency_score,
        {{ rfm_score('revenue') }} as monetary_score
    from customers
)

select
    customer_key,
    customer_id,
    days_since_last_purchase,
    orders,
    revenue,
    recency_score,
    frequency_score,
    monetary_score,
    recency_score::text || frequency_score::text || monetary_score::text as rfm_cell,
    {{ rfm_segment('recency_score', 'frequency_score', 'monetary_score') }} as rfm_segment,
    as_of_date
from scored
