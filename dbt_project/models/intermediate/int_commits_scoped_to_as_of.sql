{#- Commits of each resolved repository's chosen, complete git history, committed at or before
    as_of (committer time: the moment a commit entered the history; `git rev-list --before`
    uses it too). Later commits stay in staging for back-tests. -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

repositories as (

    select
        repository_id,
        git_repository
    from {{ ref('int_repositories_resolved') }}
    where has_git_history

),

commits as (

    select * from {{ ref('stg_git__commits') }}

),

scoped as (

    select
        repositories.repository_id,
        commits.commit_id,
        commits.commit_sha,
        commits.author_id,
        commits.is_merge,
        commits.authored_at,
        commits.committed_at,
        cast({{ dbt.date_trunc('month', 'commits.committed_at') }} as date) as commit_month
    from commits
    inner join repositories
        on commits.git_repository = repositories.git_repository
    cross join as_of
    where commits.committed_at <= as_of.as_of_at

)

select * from scoped
