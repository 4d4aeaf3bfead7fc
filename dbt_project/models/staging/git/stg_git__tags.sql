with

source as (

    select * from {{ source('git', 'tags') }}

),

renamed as (

    select
        -- ids
        {{ dbt.concat(["repository", "':'", "tag_name"]) }} as tag_id,
        repository as git_repository,
        target_sha,

        -- strings
        tag_name,
        semver_prerelease,

        -- numerics
        semver_major,
        semver_minor,
        semver_patch,

        -- booleans
        is_annotated,
        is_semver,

        -- timestamps
        tagged_at::timestamp as tagged_at

    from source

)

select * from renamed
