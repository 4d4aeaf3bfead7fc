{#- CHAOSS contributor absence factor ("bus factor"): the fewest authors whose commits make up
    at least half of the repository's commits in the signal window (as_of minus
    signal_window_months, as_of]. All commits count, merges included. 0 when the window holds no
    commits; repositories whose git history does not cover the window are left out here and get
    NULL in the signals. -#}
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

commits as (

    select * from {{ ref('int_commits_scoped_to_as_of') }}

),

author_commits as (

    select
        commits.repository_id,
        commits.author_id,
        count(*) as author_commits
    from commits
    cross join as_of
    where commits.committed_at > as_of.window_start_at
    group by commits.repository_id, commits.author_id

),

ranked as (

    select
        repository_id,
        author_commits,
        row_number() over (
            partition by repository_id order by author_commits desc, author_id asc
        ) as author_rank,
        sum(author_commits) over (
            partition by repository_id
            order by author_commits desc, author_id asc
            rows between unbounded preceding and current row
        ) as cumulative_commits,
        sum(author_commits) over (partition by repository_id) as window_commits
    from author_commits

)

select
    repository_id,
    min(window_commits) as window_commits,
    min(author_rank) as contributor_absence_factor
from ranked
where 2 * cumulative_commits >= window_commits
group by repository_id
