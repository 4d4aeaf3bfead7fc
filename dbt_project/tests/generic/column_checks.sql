{#- A model's column rules, all checked in one pass over it, so a model costs one test rather
    than one per rule. Each rule means what dbt's test of that name means: `not_null` (no NULL),
    `unique` (no value on two rows), `accepted_values` (only the listed values; a string is
    quoted, a number is not), `non_negative` (no value below 0) and `unit_interval` (none outside
    [0, 1]); NULL passes every rule but not_null. The test fails with one row per broken rule:
    the column, the rule and how many rows break it (for `unique`, the rows beyond the first of
    each repeated value). -#}
{% test column_checks(model, not_null=[], unique=[], non_negative=[], unit_interval=[], accepted_values={}) %}
{#- What counts the rows that break each rule, `@` standing for the column and `#` for the
    accepted values. -#}
{%- set breaking = {
    'not_null': 'sum(case when @ is null then 1 else 0 end)',
    'unique': 'count(@) - count(distinct @)',
    'non_negative': 'sum(case when @ < 0 then 1 else 0 end)',
    'unit_interval': 'sum(case when @ < 0 or @ > 1 then 1 else 0 end)',
    'accepted_values': 'sum(case when @ not in (#) then 1 else 0 end)',
} -%}
{%- set rules = [] -%}
{%- for rule, columns in [('not_null', not_null), ('unique', unique), ('non_negative', non_negative), ('unit_interval', unit_interval), ('accepted_values', accepted_values)] -%}
    {%- for column in columns -%}
        {%- set listed = [] -%}
        {%- for value in (accepted_values[column] if rule == 'accepted_values' else []) -%}
            {%- do listed.append("'" ~ escape_single_quotes(value) ~ "'" if value is string else value | string) -%}
        {%- endfor -%}
        {%- do rules.append((column, rule, breaking[rule] | replace('@', column) | replace('#', listed | join(', ')))) -%}
    {%- endfor -%}
{%- endfor -%}
{%- if not rules -%}
    {{ exceptions.raise_compiler_error("column_checks on " ~ model ~ " names no column") }}
{%- endif %}
with broken as (
    select
    {%- for column, rule, failing in rules %}
        {{ failing }} as rule_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{% for column, rule, failing in rules -%}
select '{{ column }}' as column_name, '{{ rule }}' as rule_name, rule_{{ loop.index }} as failing_rows
from broken where rule_{{ loop.index }} > 0
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{% endtest %}
