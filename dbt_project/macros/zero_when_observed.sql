{#- A count that is 0 when nothing was found but NULL when the period was not observed: the
    rule every activity measure follows, so a missing history never reads as inactivity. -#}
{% macro zero_when_observed(is_observed, value) -%}
    case
        when {{ is_observed }}
            then coalesce({{ value }}, 0)
    end
{%- endmacro %}
