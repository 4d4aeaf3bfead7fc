{#- Select `columns` (name -> SQL type) from a source table, or no rows of those types when the
    table does not exist yet (activity tables appear only once a loader has written them).
    A column the table lacks (loaded before the loader wrote it, e.g. raw_git.commits'
    author_domain) is NULL of its type. The source() call keeps lineage either way. -#}
{% macro source_or_empty(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set found = none -%}
    {%- if execute -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier
        ) -%}
    {%- endif -%}
    {%- if found is none %}
    select
        {%- for name, type in columns.items() %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- else %}
    {%- set present = adapter.get_columns_in_relation(found) | map(attribute='name') | map('lower') | list %}
    select
        {%- for name, type in columns.items() %}
        {% if name | lower in present %}{{ name }}{% else %}cast(null as {{ type }}) as {{ name }}{% endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- endif %}
{%- endmacro %}
