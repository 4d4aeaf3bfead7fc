{#- A commit that several git histories share is counted for exactly one repository, so no
    commit is ever two projects' activity (int_commits_attributed). Returns the offenders. -#}
select
    commit_sha,
    count(*) filter (where is_counted) as counted
from {{ ref('int_commits_attributed') }}
group by commit_sha
having count(*) filter (where is_counted) <> 1
