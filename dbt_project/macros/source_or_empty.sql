{#- Select `columns` (name -> SQL type) from a source table, or no rows of those types when the
    table does not exist yet (activity tables appear only once a loader has written them).
    The source() call keeps lineage either way. DuckDB/Postgres-style `where false`. -#}
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
    select
        {%- for name, type in columns.items() %}
        {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- endif %}
{%- endmacro %}
