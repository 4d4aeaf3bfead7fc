{#- One row per repository with a complete git history: who builds it, from the counted commits up
    to as_of. Human authors (bots apart) in all and in the last 12 months (the maintainers), the
    share of commits by the top author and the top three (how much rests on a few people), bot
    commits, and the organisations behind the work: how many published organisation domains its
    authors commit from, the share of human commits from any of them, and the domain with the
    most. Authors are hashed e-mails: one person with two addresses counts twice. -#}
with

repositories as (

    select
        repository_id,
        full_name
    from {{ ref('dim_repositories') }}
    where has_git_history

),

authors as (

    select * from {{ ref('fct_repository_authors') }}

),

totals as (

    select
        repository_id,
        count(*) filter (where not is_bot) as authors,
        count(*) filter (where not is_bot and is_active_last_12m) as authors_last_12m,
        count(*) filter (where is_bot) as bot_authors,
        sum(case when not is_bot then commits else 0 end) as commits,
        sum(case when not is_bot then commits_last_12m else 0 end) as commits_last_12m,
        sum(case when is_bot then commits else 0 end) as bot_commits,
        max(commits) filter (where not is_bot) as top_author_commits,
        max(commits_last_12m) filter (where not is_bot) as top_author_commits_last_12m,
        count(distinct case when not is_bot and organisation_domain is not null then organisation_domain end)
            as organisation_domains,
        count(*) filter (where not is_bot and organisation_domain is not null) as organisation_authors,
        sum(case when not is_bot and organisation_domain is not null then commits else 0 end)
            as organisation_commits
    from authors
    group by repository_id

),

top_three as (

    select
        repository_id,
        sum(commits) as top_three_commits
    from (
        select
            repository_id,
            commits,
            row_number() over (
                partition by repository_id order by commits desc, author_id asc
            ) as position
        from authors
        where not is_bot
    ) as ranked
    where position <= 3
    group by repository_id

),

domains as (

    select
        repository_id,
        organisation_domain,
        commits,
        row_number() over (
            partition by repository_id order by commits desc, organisation_domain asc
        ) as position
    from {{ ref('fct_repository_domains') }}

)

select
    -- ids
    repositories.repository_id,

    -- strings
    repositories.full_name,
    domains.organisation_domain as top_organisation_domain,

    -- numerics
    cast(coalesce(totals.authors, 0) as {{ dbt.type_bigint() }}) as authors,
    cast(coalesce(totals.authors_last_12m, 0) as {{ dbt.type_bigint() }}) as authors_last_12m,
    cast(coalesce(totals.bot_authors, 0) as {{ dbt.type_bigint() }}) as bot_authors,
    cast(coalesce(totals.commits, 0) as {{ dbt.type_bigint() }}) as commits,
    cast(coalesce(totals.commits_last_12m, 0) as {{ dbt.type_bigint() }}) as commits_last_12m,
    cast(coalesce(totals.bot_commits, 0) as {{ dbt.type_bigint() }}) as bot_commits,
    case
        when totals.commits + totals.bot_commits > 0
            then cast(totals.bot_commits as double) / (totals.commits + totals.bot_commits)
    end as bot_commit_share,
    case
        when totals.commits > 0 then cast(totals.top_author_commits as double) / totals.commits
    end as top_author_commit_share,
    case
        when totals.commits > 0 then cast(top_three.top_three_commits as double) / totals.commits
    end as top_three_commit_share,
    case
        when totals.commits_last_12m > 0
            then cast(totals.top_author_commits_last_12m as double) / totals.commits_last_12m
    end as top_author_commit_share_last_12m,
    cast(coalesce(totals.organisation_domains, 0) as {{ dbt.type_bigint() }}) as organisation_domains,
    cast(coalesce(totals.organisation_authors, 0) as {{ dbt.type_bigint() }}) as organisation_authors,
    case
        when totals.commits > 0 then cast(totals.organisation_commits as double) / totals.commits
    end as organisation_commit_share,
    case
        when totals.commits > 0 then cast(domains.commits as double) / totals.commits
    end as top_organisation_commit_share
from repositories
left join totals
    on repositories.repository_id = totals.repository_id
left join top_three
    on repositories.repository_id = top_three.repository_id
left join domains
    on repositories.repository_id = domains.repository_id and domains.position = 1
