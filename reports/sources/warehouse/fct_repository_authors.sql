select * from marts.fct_repository_authors
