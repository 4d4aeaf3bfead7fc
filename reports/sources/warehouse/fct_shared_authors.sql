select * from marts.fct_shared_authors
