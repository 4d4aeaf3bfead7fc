-- Signals only count commits at or before as_of: recount commits_last_12m and the last commit
-- from every commit counted for each repository (int_commits_attributed: future included, a
-- commit shared by several histories counted for one of them) and compare.
with

as_of as (

    select * from {{ ref('int_as_of') }}

),

recount as (

    select
        repositories.repository_id,
        sum(
            case
                when commits.committed_at > as_of.window_start_at and commits.committed_at <= as_of.as_of_at
                    then 1
                else 0
            end
        ) as commits_last_12m,
        max(case when commits.committed_at <= as_of.as_of_at then commits.committed_at end)
            as last_commit_at
    from {{ ref('int_commits_attributed') }} as commits
    inner join {{ ref('dim_repositories') }} as repositories
        on commits.repository_id = repositories.repository_id
    cross join as_of
    where commits.is_counted
    group by repositories.repository_id

)

select signals.repository_id, signals.commits_last_12m, recount.commits_last_12m as recounted
from {{ ref('fct_repository_signals') }} as signals
inner join recount
    on signals.repository_id = recount.repository_id
inner join {{ ref('dim_repositories') }} as repositories
    on signals.repository_id = repositories.repository_id
cross join as_of
where
    (signals.commits_last_12m is not null and signals.commits_last_12m != recount.commits_last_12m)
    or repositories.last_commit_at > as_of.as_of_at
    or repositories.last_commit_at is distinct from recount.last_commit_at
