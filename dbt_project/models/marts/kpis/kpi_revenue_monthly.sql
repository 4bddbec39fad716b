{#- Revenue per month × region × product × channel (period_start = the month start). -#}
{{ config(indexes=[{'columns': ['period_start']}, {'columns': ['product_key']}]) }}

{{ revenue_rollup('month_start') }}
