with

source as (

    select * from {{ source('git', 'commits') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["repository", "':'", "sha"]) }} as commit_id,
        repository as git_repository,
        sha as commit_sha,
        author_id,

        -- strings
        author_name,

        -- numerics
        parents_count,
        author_tz_offset_minutes,
        committer_tz_offset_minutes,

        -- booleans
        is_merge,

        -- timestamps
        authored_at::timestamp as authored_at,
        committed_at::timestamp as committed_at

    from source

)

select * from renamed
