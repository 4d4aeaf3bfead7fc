select * from marts.dim_repositories
