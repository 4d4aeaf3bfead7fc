{#- One row per release of a repository in dim_repositories, published at or before as_of (the
    repository page's release list). A repository with a GitHub release (not a draft) published
    by as_of lists its GitHub releases; any other repository falls back to its git tags, dated
    by tagger time, else the tagged commit's time (a tag with neither is left out: it cannot be
    placed before as_of). Semver fields are the git loader's parse of the tag of the same name,
    so a GitHub release without such a tag has none. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

repositories as (

    select * from {{ ref('dim_repositories') }}

),

names as (

    select * from {{ ref('int_repository_names') }}

),

tags as (

    select
        repositories.repository_id,
        tags.tag_name,
        tags.target_sha,
        tags.is_semver,
        tags.semver_major,
        tags.semver_minor,
        tags.semver_patch,
        tags.semver_prerelease,
        tags.tagged_at
    from {{ ref('stg_git__tags') }} as tags
    inner join repositories
        on tags.git_repository = repositories.git_repository

),

github_releases as (

    select
        names.repository_id,
        releases.release_id,
        releases.tag_name,
        releases.release_name,
        releases.is_prerelease,
        releases.published_at
    from {{ ref('stg_github__releases') }} as releases
    inner join names
        on lower(releases.repository_full_name) = names.name_key
    inner join repositories
        on names.repository_id = repositories.repository_id
    cross join as_of
    where not coalesce(releases.is_draft, false) and releases.published_at <= as_of.as_of_at

),

with_github_releases as (

    select distinct repository_id from github_releases

),

from_github as (

    select
        {{ dbt.concat(["'release:'", dbt.cast("github_releases.release_id", dbt.type_string())]) }} as release_id,
        github_releases.repository_id,
        github_releases.release_id as github_release_id,
        tags.target_sha,
        github_releases.tag_name,
        github_releases.release_name,
        'github release' as source,
        tags.semver_prerelease,
        tags.semver_major,
        tags.semver_minor,
        tags.semver_patch,
        github_releases.is_prerelease,
        tags.is_semver,
        github_releases.published_at
    from github_releases
    left join tags
        on
            github_releases.repository_id = tags.repository_id
            and github_releases.tag_name = tags.tag_name

),

from_tags as (

    select
        {{ dbt.concat(["'tag:'", "tags.repository_id", "':'", "tags.tag_name"]) }} as release_id,
        tags.repository_id,
        cast(null as {{ dbt.type_bigint() }}) as github_release_id,
        tags.target_sha,
        tags.tag_name,
        cast(null as {{ dbt.type_string() }}) as release_name,
        'git tag' as source,
        tags.semver_prerelease,
        tags.semver_major,
        tags.semver_minor,
        tags.semver_patch,
        case when tags.is_semver then tags.semver_prerelease is not null end as is_prerelease,
        tags.is_semver,
        tags.tagged_at as published_at
    from tags
    cross join as_of
    left join with_github_releases
        on tags.repository_id = with_github_releases.repository_id
    where with_github_releases.repository_id is null and tags.tagged_at <= as_of.as_of_at

),

final as (

    select * from from_github
    union all
    select * from from_tags

)

select
    -- ids
    release_id,
    repository_id,
    github_release_id,
    target_sha,

    -- strings
    tag_name,
    release_name,
    source,
    semver_prerelease,

    -- numerics
    semver_major,
    semver_minor,
    semver_patch,

    -- booleans
    is_prerelease,
    is_semver,

    -- timestamps
    published_at
from final
