{#- One row per pseudonymous author (hashed e-mail) with a counted commit up to as_of: whether
    the author is an automation (a bot's or an action's name), and the organisation domain the
    marts may publish for it. The loader keeps an e-mail's domain only when it can name an
    organisation (dlt_pipeline/git/email_domains.py: no free mail, no GitHub no-reply address, no
    bot, no placeholder); here a domain is published only when at least
    organisation_domain_min_authors human authors committed from it, since one person's own
    domain cannot be told from a small company's by its text. An author id is one e-mail
    address, so it has one domain at most. -#}
with

authors as (

    select
        commits.author_id,
        max(commits.author_domain) as author_domain,
        max(
            case
                when
                    lower(commits.author_name) like '%[bot]%'
                    or lower(commits.author_name) like '%-bot'
                    or lower(commits.author_name) like '% bot'
                    or lower(commits.author_name) in (
                        'dependabot', 'renovate', 'greenkeeper', 'github-actions',
                        'github action', 'github actions', 'pre-commit-ci', 'snyk-bot',
                        'allcontributors', 'imgbot', 'pyup-bot', 'web-flow'
                    )
                    then 1
                else 0
            end
        ) = 1 as is_bot
    from {{ ref('stg_git__commits') }} as commits
    where
        commits.author_id in (
            select scoped.author_id from {{ ref('int_commits_scoped_to_as_of') }} as scoped
        )
    group by commits.author_id

),

published as (

    select author_domain
    from authors
    where author_domain is not null and not is_bot
    group by author_domain
    having count(*) >= {{ organisation_domain_min_authors() }}

)

select
    -- ids
    authors.author_id,

    -- strings
    authors.author_domain,
    published.author_domain as organisation_domain,

    -- booleans
    authors.is_bot
from authors
left join published
    on authors.author_domain = published.author_domain
