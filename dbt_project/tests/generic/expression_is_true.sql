{% test expression_is_true(model, expression) %}
{#- Rows where a row-level rule does not hold, e.g. "sales_amount >= discount_amount * 0". -#}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
