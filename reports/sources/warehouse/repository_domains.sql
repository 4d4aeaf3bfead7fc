-- fct_repository_domains with each repository's full_name, made once in each DuckDB session of
-- the renderer so a repository page looks its domains up by name (see repository_activity.sql).
select r.full_name, d.*
from marts.fct_repository_domains as d
inner join marts.dim_repositories as r on r.repository_id = d.repository_id
