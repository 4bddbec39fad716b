{#- A surrogate key: md5 of the natural key parts (nulls as ''), the way dbt_utils.generate_surrogate_key does
    it; written here because hub packages are not available offline. Facts compute the same key from the same
    natural key, so they need no lookup join against the dimension. -#}
{% macro surrogate_key(columns) -%}
    md5({%- for column in columns -%}
        coalesce(cast({{ column }} as text), '')
        {%- if not loop.last %} || '|' || {% endif -%}
    {%- endfor -%})
{%- endmacro %}
