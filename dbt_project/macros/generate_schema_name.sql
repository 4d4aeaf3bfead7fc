{#- Schemas are named by layer (staging, intermediate, marts, reference), not prefixed with the
    target schema: reports and the ML code read `marts.<table>` from any target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
