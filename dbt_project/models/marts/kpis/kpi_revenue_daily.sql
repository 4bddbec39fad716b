{#- Revenue per day × region × product × channel (period_start = the date day). -#}
{{ config(indexes=[{'columns': ['period_start']}, {'columns': ['product_key']}]) }}

{{ revenue_rollup('date_day') }}
