{#- The cohort of an instant: the first day of its calendar month in UTC (not the server's time zone, so a
    purchase at 23:30 on Jan 31 in São Paulo, 02:30 UTC on Feb 1, belongs to February, like its sale_date). -#}
{% macro cohort_month(column) -%}
    date_trunc('month', {{ column }} at time zone 'UTC')::date
{%- endmacro %}
