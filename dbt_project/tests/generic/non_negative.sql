{% test non_negative(model, column_name) %}
{#- Rows whose value is negative (amounts, counts). Nulls are not_null's business. -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
