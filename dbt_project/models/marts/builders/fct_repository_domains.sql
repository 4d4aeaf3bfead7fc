{#- One row per repository and published organisation domain its human authors commit from
    (int_commit_authors_described): the domain's authors and commits there, in all and in the
    last 12 months, and its share of the repository's human commits. The organisations behind a
    tool, read from where its builders' e-mail addresses are, not from who owns the repository. -#}
with

authors as (

    select * from {{ ref('fct_repository_authors') }}
    where not is_bot

),

repository_commits as (

    select
        repository_id,
        sum(commits) as commits
    from authors
    group by repository_id

),

domains as (

    select
        repository_id,
        organisation_domain,
        count(*) as authors,
        count(*) filter (where is_active_last_12m) as authors_last_12m,
        sum(commits) as commits,
        sum(commits_last_12m) as commits_last_12m
    from authors
    where organisation_domain is not null
    group by repository_id, organisation_domain

)

select
    -- ids
    {{ dbt.concat(["domains.repository_id", "'|'", "domains.organisation_domain"]) }} as repository_domain_id,
    domains.repository_id,

    -- strings
    domains.organisation_domain,

    -- numerics
    cast(domains.authors as {{ dbt.type_bigint() }}) as authors,
    cast(domains.authors_last_12m as {{ dbt.type_bigint() }}) as authors_last_12m,
    cast(domains.commits as {{ dbt.type_bigint() }}) as commits,
    cast(domains.commits_last_12m as {{ dbt.type_bigint() }}) as commits_last_12m,
    cast(domains.commits as double) / repository_commits.commits as commit_share
from domains
inner join repository_commits
    on domains.repository_id = repository_commits.repository_id
