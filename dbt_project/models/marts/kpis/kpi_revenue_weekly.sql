{#- Revenue per week × region × product × channel (period_start = the week start). -#}
{{ config(indexes=[{'columns': ['period_start']}, {'columns': ['product_key']}]) }}

{{ revenue_rollup('week_start') }}
