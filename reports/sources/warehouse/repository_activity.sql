-- fct_repository_activity_monthly with each repository's full_name. Made once in each DuckDB
-- session of the renderer, so a repository page looks its months up by name instead of joining
-- the fact table to dim_repositories again (a join per page reads the whole fact table, and
-- the pages grow with it).
select r.full_name, a.*
from marts.fct_repository_activity_monthly as a
inner join marts.dim_repositories as r on r.repository_id = a.repository_id
