{#- Commits of each resolved repository's chosen, complete git history, committed at or before
    as_of (committer time: the moment a commit entered the history; `git rev-list --before`
    uses it too), counted once: a commit several histories share is left to the repository
    int_commits_attributed counts it for. Later commits stay there for back-tests. -#}
with

as_of as (

    select as_of_at from {{ ref('int_as_of') }}

),

commits as (

    select * from {{ ref('int_commits_attributed') }}
    where is_counted

),

scoped as (

    select
        commits.repository_id,
        commits.commit_id,
        commits.commit_sha,
        commits.author_id,
        commits.is_merge,
        commits.authored_at,
        commits.committed_at,
        cast({{ dbt.date_trunc('month', 'commits.committed_at') }} as date) as commit_month
    from commits
    cross join as_of
    where commits.committed_at <= as_of.as_of_at

)

select * from scoped
