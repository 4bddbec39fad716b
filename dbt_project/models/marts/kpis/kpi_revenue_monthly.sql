{#- Revenue per month × region × product × channel, rolled up from kpi_revenue_daily
    (period_start = the month start). -#}
{{ config(indexes=[{'columns': ['period_start']}, {'columns': ['product_key']}]) }}

{{ revenue_rollup_from_daily('month_start') }}
