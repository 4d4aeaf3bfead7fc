{#- One row per repository in the ecosystem at as_of: every repository a GitHub search observed
    at or before as_of (described by its latest such observation), plus repositories known only
    from a git history with a commit at or before as_of (or with no commits loaded). -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

resolved as (

    select * from {{ ref('int_repositories_resolved') }}

),

described as (

    select * from {{ ref('int_repositories_described') }}

),

commits as (

    select
        repository_id,
        min(committed_at) as first_commit_at,
        max(committed_at) as last_commit_at,
        count(*) as commits_total
    from {{ ref('int_commits_scoped_to_as_of') }}
    group by repository_id

),

members as (

    select
        resolved.*,
        described.repository_id is not null as has_search_observation
    from resolved
    left join described
        on resolved.repository_id = described.repository_id
    left join commits
        on resolved.repository_id = commits.repository_id
    where
        described.repository_id is not null
        or (resolved.is_git_only and (commits.repository_id is not null or not resolved.has_git_history))

),

final as (

    select
        -- ids
        members.repository_id,
        members.github_repository_id,
        described.owner_github_id,

        -- strings
        coalesce(described.full_name, members.full_name) as full_name,
        members.other_full_names,
        coalesce(described.owner_login, {{ dbt.split_part('members.full_name', "'/'", 1) }}) as owner_login,
        coalesce(described.repository_name, {{ dbt.split_part('members.full_name', "'/'", 2) }})
            as repository_name,
        described.owner_type,
        described.description,
        described.topics,
        described.language,
        described.license_spdx_id,
        described.homepage,
        described.default_branch,
        members.git_repository,
        members.history_status as git_history_status,
        described.run_id as described_by_run_id,

        -- numerics
        described.stars,
        described.forks,
        described.open_issues,
        described.watchers,
        described.size_kb,
        commits.commits_total,

        -- booleans
        described.has_license,
        described.is_org_owned,
        described.is_archived,
        described.is_fork,
        described.is_disabled,
        members.has_git_history,
        members.is_git_only,

        -- timestamps
        described.created_at,
        described.updated_at,
        described.pushed_at,
        commits.first_commit_at,
        commits.last_commit_at,
        members.git_observed_until,
        coalesce(
            described.recorded_at,
            least(members.git_observed_until, as_of.as_of_at),
            as_of.as_of_at
        ) as described_at,
        as_of.as_of_at as as_of

    from members
    cross join as_of
    left join described
        on members.repository_id = described.repository_id
    left join commits
        on members.repository_id = commits.repository_id

)

select * from final
