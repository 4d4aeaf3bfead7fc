{#- Git histories are optional: without any loaded, this is empty but present. -#}
with

source as (

    {{ source_or_empty('git', 'commits', {
        'repository': dbt.type_string(),
        'sha': dbt.type_string(),
        'author_id': dbt.type_string(),
        'author_name': dbt.type_string(),
        'author_domain': dbt.type_string(),
        'parents_count': dbt.type_bigint(),
        'author_tz_offset_minutes': dbt.type_bigint(),
        'committer_tz_offset_minutes': dbt.type_bigint(),
        'is_merge': dbt.type_boolean(),
        'authored_at': dbt.type_timestamp(),
        'committed_at': dbt.type_timestamp(),
    }) }}

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
        author_domain,

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
