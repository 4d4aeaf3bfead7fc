{#- Every commit of each resolved repository's chosen, complete git history (all times, no as_of
    cut), with the one repository it is counted for. Some histories share commits: a split from a
    monorepo or a fork carries the original's history (polyaxon/*, kubeflow/kfp-tekton with
    kubeflow/pipelines), and one project can appear under two GitHub ids (polyaxon/datatile's
    history is all in polyaxon/traceml's). A shared commit is counted once, for the repository
    whose history holds the most commits: the one that kept the whole history, which the splits
    and forks were cut from; ties go to the one created first on GitHub (a repository without a
    creation date counts as created at its first commit), then to the lower key. The other
    holders keep the commit with is_counted false, so their activity is their own. A fork that
    outgrew its origin takes the shared early commits with it (getindata/kedro-vertexai's 140
    shared commits with getindata/kedro-kubeflow). -#}
with

repositories as (

    select
        repository_id,
        github_repository_id,
        git_repository
    from {{ ref('int_repositories_resolved') }}
    where has_git_history

),

-- created_at never changes, so any observation of it may be read, whatever the as_of
created as (

    select
        github_repository_id,
        min(created_at) as created_at
    from {{ ref('stg_github__repositories') }}
    group by github_repository_id

),

commits as (

    select
        repositories.repository_id,
        commits.commit_id,
        commits.commit_sha,
        commits.author_id,
        commits.is_merge,
        commits.authored_at,
        commits.committed_at
    from {{ ref('stg_git__commits') }} as commits
    inner join repositories
        on commits.git_repository = repositories.git_repository

),

histories as (

    select
        repositories.repository_id,
        coalesce(created.created_at, min(commits.committed_at)) as created_at,
        count(*) as history_commits
    from repositories
    inner join commits
        on repositories.repository_id = commits.repository_id
    left join created
        on repositories.github_repository_id = created.github_repository_id
    group by repositories.repository_id, created.created_at

),

ranked as (

    select
        commits.*,
        row_number() over holders_in_order as holder_rank,
        first_value(commits.repository_id) over holders_in_order as counted_repository_id,
        count(*) over (partition by commits.commit_sha) as holders
    from commits
    inner join histories
        on commits.repository_id = histories.repository_id
    -- one ordering of a commit's holders gives its rank and the holder it is counted for
    window holders_in_order as (
        partition by commits.commit_sha
        order by
            histories.history_commits desc,
            histories.created_at asc,
            commits.repository_id asc
    )

)

select
    -- ids
    repository_id,
    commit_id,
    commit_sha,
    author_id,
    counted_repository_id,

    -- numerics
    holders - 1 as other_holders,

    -- booleans
    is_merge,
    holder_rank = 1 as is_counted,

    -- timestamps
    authored_at,
    committed_at
from ranked
