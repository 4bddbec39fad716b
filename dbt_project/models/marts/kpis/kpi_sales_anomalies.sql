{#- Daily sales anomalies: each day's revenue against the 28 days before it (mean and standard deviation,
    at least 14 of them with sales); |z| above `anomaly_z_threshold` (var, 3 by default) flags the day as a
    spike (Black Friday, a launch) or a drop (an outage, a tracking break). Days with no sales count as zero. -#}
with daily as (
    select dates.date_day, coalesce(sum(sales.sales_amount), 0) as revenue, count(sales.sale_id) as orders
    from {{ ref('dim_date') }} as dates
    left join {{ ref('fct_sales') }} as sales on sales.date_key = dates.date_key
    where dates.date_day between (select min(date_day) from {{ ref('fct_sales') }})
        and (select max(date_day) from {{ ref('fct_sales') }})
    group by dates.date_day
),

baseline as (
    select
        daily.*,
        avg(revenue) over prior_days as baseline_mean,
        stddev_samp(revenue) over prior_days as baseline_stddev,
        count(*) over prior_days as baseline_days
    from daily
    window prior_days as (order by date_day rows between 28 preceding and 1 preceding)
),

scored as (
    select
        *,
        case when baseline_days >= 14 and baseline_stddev > 0
            then round(((revenue - baseline_mean) / baseline_stddev)::numeric, 3) end as z_score
    from baseline
)

select
    date_day,
    to_char(date_day, 'YYYYMMDD')::int as date_key,
    orders,
    revenue::numeric(14, 2) as revenue,
    round(baseline_mean::numeric, 2) as baseline_mean,
    round(baseline_stddev::numeric, 2) as baseline_stddev,
    z_score,
    coalesce(abs(z_score) > {{ var('anomaly_z_threshold') }}, false) as is_anomaly,
    case
        when z_score > {{ var('anomaly_z_threshold') }} then 'pico'
        when z_score < -{{ var('anomaly_z_threshold') }} then 'queda'
        else 'normal'
    end as anomaly_type
from scored
