{#- Use the folder's schema as is (staging, marts), not "<target schema>_<schema>": the warehouse layers
    are named schemas that Python assets read too. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
