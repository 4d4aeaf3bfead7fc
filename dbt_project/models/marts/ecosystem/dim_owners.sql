{#- One row per owner (user or organisation) of repositories in dim_repositories, ranked by
    repositories, stars and contributors (1 = most; ties share a rank). Contributors are the
    distinct contributors GitHub listed for the owner's repositories (NULL when no contributor
    list was loaded); git_authors the distinct commit authors in complete git histories. -#}
with

repositories as (

    select * from {{ ref('dim_repositories') }}

),

as_of as (

    select * from {{ ref('int_as_of') }}

),

names as (

    select * from {{ ref('int_repository_names') }}

),

contributors as (

    select
        lower(repositories.owner_login) as owner_id,
        count(distinct contributors.contributor_key) as contributors
    from {{ ref('stg_github__contributors') }} as contributors
    inner join names
        on lower(contributors.repository_full_name) = names.name_key
    inner join repositories
        on names.repository_id = repositories.repository_id
    cross join as_of
    where contributors.recorded_at <= as_of.as_of_at
    group by lower(repositories.owner_login)

),

git_authors as (

    select
        lower(repositories.owner_login) as owner_id,
        count(distinct commits.author_id) as git_authors
    from {{ ref('int_commits_scoped_to_as_of') }} as commits
    inner join repositories
        on commits.repository_id = repositories.repository_id
    group by lower(repositories.owner_login)

),

owners as (

    select
        lower(owner_login) as owner_id,
        max(owner_login) as owner_login,
        max(owner_github_id) as owner_github_id,
        max(owner_type) as owner_type,
        count(*) as repositories,
        sum(stars) as stars,
        sum(forks) as forks,
        max(stars) as top_repository_stars
    from repositories
    group by lower(owner_login)

),

final as (

    select
        owners.owner_id,
        owners.owner_login,
        owners.owner_github_id,
        owners.owner_type,
        owners.owner_type = 'Organization' as is_organization,
        cast(owners.repositories as {{ dbt.type_bigint() }}) as repositories,
        cast(owners.stars as {{ dbt.type_bigint() }}) as stars,
        cast(owners.forks as {{ dbt.type_bigint() }}) as forks,
        owners.top_repository_stars,
        cast(contributors.contributors as {{ dbt.type_bigint() }}) as contributors,
        cast(git_authors.git_authors as {{ dbt.type_bigint() }}) as git_authors,
        rank() over (order by owners.repositories desc) as rank_by_repositories,
        rank() over (order by owners.stars desc nulls last) as rank_by_stars,
        case
            when contributors.contributors is not null
                then rank() over (order by contributors.contributors desc nulls last)
        end as rank_by_contributors
    from owners
    left join contributors
        on owners.owner_id = contributors.owner_id
    left join git_authors
        on owners.owner_id = git_authors.owner_id

)

select * from final
