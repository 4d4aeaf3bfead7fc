{#- One row per repository and pseudonymous author (a salted hash of the e-mail, never the
    address) with a counted commit up to as_of: the author's commits in all and in the last 12
    months, first and last commit, rank among the repository's human authors by commits, whether
    the author is a bot, and the organisation domain where one is published
    (int_commit_authors_described). A commit several histories share counts for one repository
    only (int_commits_attributed), so a fork's copy of the original's history adds no authors. -#}
with

as_of as (

    select
        as_of_at,
        window_start_at
    from {{ ref('int_as_of') }}

),

authors as (

    select * from {{ ref('int_commit_authors_described') }}

),

per_author as (

    select
        commits.repository_id,
        commits.author_id,
        count(*) as commits,
        count(*) filter (where commits.committed_at > as_of.window_start_at) as commits_last_12m,
        min(commits.committed_at) as first_commit_at,
        max(commits.committed_at) as last_commit_at
    from {{ ref('int_commits_scoped_to_as_of') }} as commits
    cross join as_of
    group by commits.repository_id, commits.author_id

)

select
    -- ids
    {{ dbt.concat(["per_author.repository_id", "'|'", "per_author.author_id"]) }} as repository_author_id,
    per_author.repository_id,
    per_author.author_id,

    -- strings
    authors.organisation_domain,

    -- numerics
    cast(per_author.commits as {{ dbt.type_bigint() }}) as commits,
    cast(per_author.commits_last_12m as {{ dbt.type_bigint() }}) as commits_last_12m,
    case
        when not authors.is_bot
            then rank() over (
                partition by per_author.repository_id, authors.is_bot
                order by per_author.commits desc
            )
    end as rank_in_repository,

    -- booleans
    authors.is_bot,
    per_author.commits_last_12m > 0 as is_active_last_12m,

    -- timestamps
    per_author.first_commit_at,
    per_author.last_commit_at
from per_author
inner join authors
    on per_author.author_id = authors.author_id
