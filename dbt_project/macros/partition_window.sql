{#- The partition window Dagster passes as --vars {min_date, max_date}: [min_date, max_date) in UTC days.
    Both unset means "every day" (a plain `dbt build`). Dates are parsed, so a malformed var fails loudly
    instead of reaching SQL. -#}
{% macro partition_window() -%}
    {%- set min_date = var('min_date', none) -%}
    {%- set max_date = var('max_date', none) -%}
    {%- if min_date is none and max_date is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if min_date is none or max_date is none -%}
        {{ exceptions.raise_compiler_error("pass both min_date and max_date, or neither") }}
    {%- endif -%}
    {%- set start = modules.datetime.date.fromisoformat(min_date | string) -%}
    {%- set end = modules.datetime.date.fromisoformat(max_date | string) -%}
    {%- if end <= start -%}
        {{ exceptions.raise_compiler_error("max_date " ~ end ~ " must be after min_date " ~ start) }}
    {%- endif -%}
    {{ return([start.isoformat(), end.isoformat()]) }}
{%- endmacro %}

{#- SQL predicate: `column` (timestamptz) falls in the partition window; `true` when there is no window. -#}
{% macro in_partition_window(column) -%}
    {%- set window = partition_window() -%}
    {%- if window is none -%}
        true
    {%- else -%}
        ({{ column }} >= timestamptz '{{ window[0] }} 00:00:00+00' and {{ column }} < timestamptz '{{ window[1] }} 00:00:00+00')
    {%- endif -%}
{%- endmacro %}
