{% test value_between(model, column_name, min_value, max_value) %}
{#- Rows outside [min_value, max_value]. Written here: no dbt hub packages offline. -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
