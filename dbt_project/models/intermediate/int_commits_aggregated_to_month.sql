with

commits as (

    select * from {{ ref('int_commits_scoped_to_as_of') }}

),

first_commits as (

    select
        repository_id,
        author_id,
        min(commit_month) as first_month
    from commits
    group by repository_id, author_id

),

monthly as (

    select
        repository_id,
        commit_month as activity_month,
        count(*) as commits,
        count(distinct author_id) as active_authors
    from commits
    group by repository_id, commit_month

),

new_authors as (

    select
        repository_id,
        first_month as activity_month,
        count(*) as new_authors
    from first_commits
    group by repository_id, first_month

)

select
    monthly.repository_id,
    monthly.activity_month,
    monthly.commits,
    monthly.active_authors,
    coalesce(new_authors.new_authors, 0) as new_authors
from monthly
left join new_authors
    on
        monthly.repository_id = new_authors.repository_id
        and monthly.activity_month = new_authors.activity_month
