select * from marts.fct_releases
