-- fct_releases with each repository's full_name, made once in each DuckDB session of the
-- renderer so a repository page looks its releases up by name (see repository_activity.sql).
select r.full_name, rel.*
from marts.fct_releases as rel
inner join marts.dim_repositories as r on r.repository_id = rel.repository_id
