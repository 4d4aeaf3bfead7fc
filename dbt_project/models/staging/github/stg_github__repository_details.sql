with

source as (

    select * from {{ source('github', 'repository_details') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["run_id", "':'", "lower(requested_full_name)"]) }} as repository_detail_id,
        run_id,
        id as github_repository_id,

        -- strings
        requested_full_name,
        detail_status,
        full_name,
        parent_full_name,
        source_full_name,
        request_url,

        -- numerics
        http_status,
        subscribers_count as subscribers,
        network_count as network_size,

        -- booleans
        detail_status = 'moved' as is_moved,
        detail_status = 'gone' as is_gone,

        -- timestamps
        recorded_at::timestamp as recorded_at

    from source

)

select * from renamed
