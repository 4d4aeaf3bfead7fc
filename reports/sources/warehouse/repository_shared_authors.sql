-- fct_shared_authors from both sides: one row per repository (full_name) and each other
-- repository it shares authors with (other), whichever side of the pair each is on. Made once
-- in each DuckDB session of the renderer so a repository page looks its pairs up by name (see
-- repository_activity.sql). The pairs are listed from both sides first, then named by two
-- equality joins (one join on either column DuckDB runs as a nested loop over every pair).
with sides as (
    select repository_id, other_repository_id, shared_authors, shared_authors_last_12m, author_overlap
    from marts.fct_shared_authors
    union all
    select other_repository_id, repository_id, shared_authors, shared_authors_last_12m, author_overlap
    from marts.fct_shared_authors
)
select
    r.full_name,
    o.full_name as other,
    s.shared_authors,
    s.shared_authors_last_12m,
    s.author_overlap
from sides as s
inner join marts.dim_repositories as r on r.repository_id = s.repository_id
inner join marts.dim_repositories as o on o.repository_id = s.other_repository_id
