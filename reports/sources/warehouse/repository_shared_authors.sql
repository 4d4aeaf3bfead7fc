-- fct_shared_authors from both sides: one row per repository (full_name) and each other
-- repository it shares authors with (other), whichever side of the pair each is on. Made once
-- in each DuckDB session of the renderer so a repository page looks its pairs up by name (see
-- repository_activity.sql). Two equality joins per side, not one join on either column (which
-- DuckDB runs as a nested loop over every pair).
select
    r.full_name,
    o.full_name as other,
    s.shared_authors,
    s.shared_authors_last_12m,
    s.author_overlap
from marts.fct_shared_authors as s
inner join marts.dim_repositories as r on r.repository_id = s.repository_id
inner join marts.dim_repositories as o on o.repository_id = s.other_repository_id
union all
select
    r.full_name,
    a.full_name as other,
    s.shared_authors,
    s.shared_authors_last_12m,
    s.author_overlap
from marts.fct_shared_authors as s
inner join marts.dim_repositories as r on r.repository_id = s.other_repository_id
inner join marts.dim_repositories as a on a.repository_id = s.repository_id
