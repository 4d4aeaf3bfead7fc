{#- One row per published organisation domain (int_commit_authors_described): across every
    repository with a history, its human authors and commits, in all and in the last 12 months,
    the repositories they commit to, and its rank by authors and by recent authors (1 = most; ties
    share a rank). Organisations ranked by the people who build and maintain, not by stars. -#}
with

authors as (

    select * from {{ ref('fct_repository_authors') }}
    where not is_bot and organisation_domain is not null

),

domains as (

    select
        organisation_domain,
        count(distinct author_id) as authors,
        count(distinct case when is_active_last_12m then author_id end) as authors_last_12m,
        sum(commits) as commits,
        sum(commits_last_12m) as commits_last_12m,
        count(distinct repository_id) as repositories,
        count(distinct case when is_active_last_12m then repository_id end) as repositories_last_12m
    from authors
    group by organisation_domain

)

select
    -- ids
    organisation_domain,

    -- numerics
    cast(authors as {{ dbt.type_bigint() }}) as authors,
    cast(authors_last_12m as {{ dbt.type_bigint() }}) as authors_last_12m,
    cast(commits as {{ dbt.type_bigint() }}) as commits,
    cast(commits_last_12m as {{ dbt.type_bigint() }}) as commits_last_12m,
    cast(repositories as {{ dbt.type_bigint() }}) as repositories,
    cast(repositories_last_12m as {{ dbt.type_bigint() }}) as repositories_last_12m,
    rank() over (order by authors desc) as rank_by_authors,
    rank() over (order by authors_last_12m desc) as rank_by_authors_last_12m,
    cast({{ organisation_domain_min_authors() }} as {{ dbt.type_bigint() }}) as min_authors_to_publish
from domains
