{#- One row per search query per run: what GitHub said it matched against what it returned. -#}
with

source as (

    select * from {{ source('github', 'search_queries') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "':'", "query"]) }} as search_query_id,
        run_id,

        -- strings
        query,
        search_topic,

        -- numerics
        total_count,
        items as items_returned,
        pages,

        -- booleans
        incomplete_results as is_incomplete,

        -- timestamps
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
