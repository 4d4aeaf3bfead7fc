{#- Git histories are optional: without any loaded, this is empty but present. -#}
with

source as (

    {{ source_or_empty('git', 'tags', {
        'repository': dbt.type_string(),
        'tag_name': dbt.type_string(),
        'target_sha': dbt.type_string(),
        'tagged_at': dbt.type_timestamp(),
        'is_annotated': dbt.type_boolean(),
        'is_semver': dbt.type_boolean(),
        'semver_major': dbt.type_bigint(),
        'semver_minor': dbt.type_bigint(),
        'semver_patch': dbt.type_bigint(),
        'semver_prerelease': dbt.type_string(),
    }) }}

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
