select * from marts.fct_repository_builders
