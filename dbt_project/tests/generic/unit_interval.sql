{% test unit_interval(model, column_name) %}
{#- Rows whose column lies outside [0, 1] (NULL passes): scores, shares, positions, AUCs. -#}
select *
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
